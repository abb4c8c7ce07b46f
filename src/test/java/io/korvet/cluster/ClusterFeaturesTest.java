package io.korvet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType;
import org.junit.jupiter.api.Test;

class ClusterFeaturesTest {

    private static final ClusterFeatures.Finalized ALL_ON = ClusterFeatures.Finalized.DEFAULTS;

    private static String refusal(String feature, int level, UpgradeType type, ClusterFeatures.Finalized current) {
        return ClusterFeatures.refusal(Map.of(feature, new ClusterFeatures.Update((short) level, type)), current, 3);
    }

    @Test
    void aClusterThatNeverRanUpdateFeaturesHasEveryFeatureAtItsHighestLevel() {
        ClusterFeatures.Finalized f = ClusterFeatures.Finalized.parse(Map.of());
        assertThat(f.levels()).containsEntry("group.version", (short) 1).containsEntry("share.version", (short) 1)
                .containsEntry("transaction.version", (short) 1);
        assertThat(f.epoch()).isZero();
    }

    @Test
    void storedLevelsRoundTripAndLevelZeroIsNotFinalized() {
        ClusterFeatures.Finalized f = ClusterFeatures.Finalized.parse(Map.of("group.version", "1", "share.version", "0", "epoch", "4"));
        assertThat(f.levels()).isEqualTo(Map.of("group.version", (short) 1));
        assertThat(f.level("share.version")).isZero();
        assertThat(ClusterFeatures.Finalized.parse(f.encode())).isEqualTo(f);
    }

    @Test
    void levelsOutsideWhatTheBrokerSupportsAreRefusedWithKafkasMessages() {
        assertThat(refusal("transaction.version", 2, UpgradeType.UPGRADE, ALL_ON))
                .isEqualTo("Invalid update version 2 for feature transaction.version. Broker 3 only supports versions 0-1");
        assertThat(refusal("streams.version", 1, UpgradeType.UPGRADE, ALL_ON))
                .isEqualTo("Invalid update version 1 for feature streams.version. Broker 3 does not support this feature.");
        assertThat(refusal("share.version", -1, UpgradeType.SAFE_DOWNGRADE, ALL_ON)).endsWith("A feature version cannot be less than 0.");
        assertThat(refusal("share.version", 0, UpgradeType.UNKNOWN, ALL_ON)).endsWith("The controller does not support the given upgrade type.");
    }

    @Test
    void aDowngradeNeedsADowngradeTypeAndAnUpgradeAnUpgradeType() {
        assertThat(refusal("share.version", 0, UpgradeType.UPGRADE, ALL_ON))
                .endsWith("Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.");
        assertThat(refusal("share.version", 0, UpgradeType.SAFE_DOWNGRADE, ALL_ON)).isNull();
        assertThat(refusal("share.version", 0, UpgradeType.UNSAFE_DOWNGRADE, ALL_ON)).isNull();
        ClusterFeatures.Finalized shareOff = ClusterFeatures.Finalized.parse(Map.of("group.version", "1", "epoch", "1"));
        assertThat(refusal("share.version", 1, UpgradeType.SAFE_DOWNGRADE, shareOff)).endsWith("Can't downgrade to a newer version.");
        assertThat(refusal("share.version", 1, UpgradeType.UPGRADE, shareOff)).isNull();
        assertThat(refusal("group.version", 1, UpgradeType.UPGRADE, shareOff)).as("the same level again").isNull();
    }
}
