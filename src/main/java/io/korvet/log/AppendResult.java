package io.korvet.log;

/** Where a batch landed: its first offset, and the log start offset at that time. */
public record AppendResult(long baseOffset, long logStartOffset, boolean duplicate) {
}
