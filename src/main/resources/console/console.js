/*
 * Korvet's web console: one page, hash routes, plain DOM. It reads the broker's JSON admin API (/api/v1/...) and
 * renders with textContent only, never HTML built from data.
 *
 *   #/                                   topics, consumer groups, rate and lag plots
 *   #/topics/<name>[?partition=P&offset=O] partitions, configs, rate plot, message browser
 *   #/groups/<id>                        members, lag per partition, lag plot
 *   #/brokers                            brokers and their endpoints
 *
 * Test hooks: body[data-loaded="true"] once a page's data has rendered ("error" when it could not be read), rows
 * tr[data-topic], tr[data-group] (with td.lag), tr[data-offset] (with td.key, td.value).
 */
(function () {
  'use strict';

  var REFRESH_MS = 5000;
  var COLORS = ['#1f5fa8', '#b4233c', '#2e8540', '#c77c02', '#6f42c1', '#0f8a8a', '#8a5a2b', '#d63384'];
  var MAX_LINES = 8;

  var main = document.getElementById('main');
  var current = null; // { token, refresh } for the page on screen
  var timer = null;

  // ---- DOM and formatting helpers ----

  /** el('td', {class: 'num'}, 'text', childNode, ...): attributes set as attributes, strings as text nodes. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined) {
          node.setAttribute(k, attrs[k]);
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      append(node, arguments[i]);
    }
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined) {
      return;
    }
    if (Array.isArray(child)) {
      child.forEach(function (c) { append(node, c); });
    } else {
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    }
  }

  function replace(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
    for (var i = 1; i < arguments.length; i++) {
      append(node, arguments[i]);
    }
  }

  function num(n) {
    return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US');
  }

  function bytes(n) {
    if (n === null || n === undefined) {
      return '–';
    }
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    var v = Number(n);
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return (i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)) + ' ' + units[i];
  }

  function rate(n) {
    var v = Number(n || 0);
    return (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + '/s';
  }

  /** Short axis labels: 1.2k, 3M. */
  function shortNum(v) {
    var a = Math.abs(v);
    if (a >= 1e9) { return +(v / 1e9).toFixed(1) + 'G'; }
    if (a >= 1e6) { return +(v / 1e6).toFixed(1) + 'M'; }
    if (a >= 1e3) { return +(v / 1e3).toFixed(1) + 'k'; }
    return String(+v.toFixed(a < 10 ? 2 : 0));
  }

  function iso(ms) {
    return ms === null || ms === undefined || ms < 0 ? '–' : new Date(ms).toISOString();
  }

  function clock(ms) {
    var d = new Date(ms);
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map(function (x) { return x < 10 ? '0' + x : x; }).join(':');
  }

  function numCell(value, cls) {
    return el('td', { 'class': 'num' + (cls ? ' ' + cls : ''), 'data-value': value }, num(value));
  }

  function table(headers, rows, emptyText) {
    var head = el('tr', null, headers.map(function (h) {
      return el('th', h.charAt(0) === '#' ? { 'class': 'num' } : null, h.replace(/^#/, ''));
    }));
    var body = el('tbody', null, rows.length ? rows : el('tr', null, el('td', { 'class': 'empty', colspan: headers.length }, emptyText)));
    return el('table', null, el('thead', null, head), body);
  }

  function section(title) {
    var s = el('section', null, title ? el('h2', null, title) : null);
    var body = el('div', { 'class': 'body' });
    s.appendChild(body);
    s.body = body;
    return s;
  }

  function topicHref(name, partition, offset) {
    var h = '#/topics/' + encodeURIComponent(name);
    if (partition !== undefined) {
      h += '?partition=' + partition + (offset !== undefined && offset !== null ? '&offset=' + offset : '');
    }
    return h;
  }

  function groupHref(id) {
    return '#/groups/' + encodeURIComponent(id);
  }

  // ---- the API ----

  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }

  /** GET /api/v1/<path> as JSON; rejects with an ApiError carrying the status and the API's own message. */
  function api(path) {
    return fetch('/api/v1/' + path, { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) {
        return r.text().then(function (text) {
          var body = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch (e) {
            body = null;
          }
          if (!r.ok) {
            var why = body && body.error ? body.error : (text || r.statusText);
            throw new ApiError(r.status, why);
          }
          if (body === null) {
            throw new ApiError(r.status, 'the broker answered without JSON');
          }
          return body;
        });
      }, function (e) {
        throw new ApiError(0, 'cannot reach the broker (' + e.message + ')');
      });
  }

  function errorText(e) {
    var what = {
      400: 'Bad request', 401: 'Not authenticated', 403: 'Not authorized', 404: 'Not found',
      503: 'Broker not ready'
    }[e.status] || (e.status ? 'Error' : 'Network error');
    return what + (e.status ? ' (HTTP ' + e.status + ')' : '') + ': ' + (e.message || String(e));
  }

  function errorBox(e) {
    return el('div', { 'class': 'error', role: 'alert', 'data-status': e.status || 0 }, errorText(e));
  }

  // ---- plots ----

  /**
   * A line plot as SVG: timestamps on x, one line per series ({name, values}), y from 0. A null value breaks its
   * line. Returns a div with the svg and a legend.
   */
  function plot(timestamps, series, unit) {
    var W = 440, H = 160, L = 40, R = 8, T = 8, B = 20;
    var svgNs = 'http://www.w3.org/2000/svg';
    function s(tag, attrs, text) {
      var n = document.createElementNS(svgNs, tag);
      Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
      if (text !== undefined) {
        n.textContent = text;
      }
      return n;
    }
    var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
    var box = el('div', { 'class': 'plot' }, svg);
    var ts = timestamps || [];
    if (ts.length < 2 || series.length === 0) {
      svg.appendChild(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', 'class': 'nodata' },
        'no samples yet (one every few seconds)'));
      return box;
    }
    var max = 0;
    series.forEach(function (ser) {
      ser.values.forEach(function (v) { if (v !== null && v > max) { max = v; } });
    });
    max = niceCeiling(max);
    var t0 = ts[0], t1 = ts[ts.length - 1];
    function x(t) { return L + (W - L - R) * (t - t0) / Math.max(1, t1 - t0); }
    function y(v) { return T + (H - T - B) * (1 - v / max); }
    [0, 0.5, 1].forEach(function (f) {
      var v = max * f;
      svg.appendChild(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), 'class': f === 0 ? 'axis' : 'gridline' }));
      svg.appendChild(s('text', { x: L - 4, y: y(v) + 3, 'text-anchor': 'end' }, shortNum(v)));
    });
    [[t0, 'start'], [(t0 + t1) / 2, 'middle'], [t1, 'end']].forEach(function (p) {
      svg.appendChild(s('text', { x: x(p[0]), y: H - 5, 'text-anchor': p[1] }, clock(p[0])));
    });
    var legend = el('div', { 'class': 'legend' });
    series.forEach(function (ser, i) {
      var color = COLORS[i % COLORS.length];
      var d = '';
      var pen = 'M';
      for (var k = 0; k < ts.length && k < ser.values.length; k++) {
        var v = ser.values[k];
        if (v === null || v === undefined) {
          pen = 'M';
          continue;
        }
        d += pen + x(ts[k]).toFixed(1) + ',' + y(v).toFixed(1) + ' ';
        pen = 'L';
      }
      var path = s('path', { d: d, 'class': 'series', stroke: color });
      path.appendChild(s('title', {}, ser.name));
      svg.appendChild(path);
      var last = ser.values[ser.values.length - 1];
      legend.appendChild(el('span', null, el('i', { style: 'background:' + color }), ser.name +
        (last === null || last === undefined ? '' : ' ' + shortNum(last) + unit)));
    });
    box.appendChild(legend);
    return box;
  }

  function niceCeiling(v) {
    if (!(v > 0)) {
      return 1;
    }
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (v <= steps[i] * p) {
        return steps[i] * p;
      }
    }
    return 10 * p;
  }

  /** One line per name, or a single total line when there are too many names to tell apart. */
  function seriesOf(map, field, totalName) {
    var names = Object.keys(map || {}).sort();
    var series = names.map(function (n) { return { name: n, values: map[n][field] || [] }; });
    if (series.length <= MAX_LINES) {
      return series;
    }
    var total = [];
    series.forEach(function (ser) {
      ser.values.forEach(function (v, k) { total[k] = (total[k] || 0) + (v || 0); });
    });
    return [{ name: totalName + ' (' + names.length + ')', values: total }];
  }

  /** A plot section whose content is refreshed from /api/v1/history by fill(history, body). */
  function historySection(title, fill) {
    var s = section(title);
    s.body.appendChild(el('p', { 'class': 'muted' }, 'Loading…'));
    s.update = function (history) {
      if (history instanceof ApiError) {
        replace(s.body, errorBox(history));
      } else {
        replace(s.body, fill(history));
      }
    };
    return s;
  }

  function loadHistory() {
    return api('history').catch(function (e) { return e; });
  }

  // ---- pages ----

  function frontPage(page) {
    var topics = section('Topics');
    var groups = section('Consumer groups');
    var produced = historySection('Produced (records/s)', function (h) {
      return plot(h.timestamps, seriesOf(h.topics, 'produced', 'all topics'), '/s');
    });
    var fetched = historySection('Consumed (records/s)', function (h) {
      return plot(h.timestamps, seriesOf(h.topics, 'fetched', 'all topics'), '/s');
    });
    var lag = historySection('Consumer lag (records)', function (h) {
      return plot(h.timestamps, seriesOf(h.groups, 'lag', 'all groups'), '');
    });
    page.render(el('h1', null, 'Overview'), el('div', { 'class': 'grid' }, produced, fetched, lag), topics, groups);
    return function () {
      return Promise.all([api('topics'), api('groups'), loadHistory()]).then(function (r) {
        replace(topics.body, table(['Topic', '#Partitions', '#Records', '#Size', 'Format', '#Produce rate'],
          r[0].map(function (t) {
            return el('tr', { 'data-topic': t.name },
              el('td', null, el('a', { href: topicHref(t.name) }, t.name)),
              numCell(t.partitions), numCell(t.records, 'records'),
              el('td', { 'class': 'num', 'data-value': t.bytes }, bytes(t.bytes)),
              el('td', null, t.format),
              el('td', { 'class': 'num', 'data-value': t.producedPerSecond }, rate(t.producedPerSecond)));
          }), 'No topics yet.'));
        replace(groups.body, table(['Group', 'State', 'Protocol', '#Members', '#Lag', '#Coordinator'],
          r[1].map(function (g) {
            return el('tr', { 'data-group': g.group },
              el('td', null, el('a', { href: groupHref(g.group) }, g.group)),
              el('td', { 'class': 'state' }, g.state || '–'), el('td', null, g.protocolType || '–'),
              numCell(g.members), numCell(g.lag, 'lag'), numCell(g.coordinator));
          }), 'No consumer groups yet.'));
        [produced, fetched, lag].forEach(function (p) { p.update(r[2]); });
      });
    };
  }

  function topicPage(page, name, query) {
    var facts = el('p', { 'class': 'facts' });
    var partitions = section('Partitions');
    var configs = section('Configs');
    var rates = historySection('Produced and consumed (records/s)', function (h) {
      var t = (h.topics || {})[name] || {};
      return plot(h.timestamps, [{ name: 'produced', values: t.produced || [] },
        { name: 'consumed', values: t.fetched || [] }], '/s');
    });
    var browser = messageBrowser(name, query);
    page.render(el('h1', null, 'Topic ', el('code', null, name)), facts,
      el('div', { 'class': 'grid' }, partitions, rates), browser.section, configs);
    return function () {
      return Promise.all([api('topics/' + encodeURIComponent(name)), loadHistory()]).then(function (r) {
        var t = r[0];
        replace(facts, fact('id', t.id), fact('format', t.format), fact('partitions', num(t.partitions.length)),
          fact('records', num(t.records)), fact('size', bytes(t.bytes)));
        replace(partitions.body, table(['#Partition', '#Leader', '#Log start', '#High watermark', '#Records', '#Size'],
          t.partitions.map(function (p) {
            return el('tr', { 'data-partition': p.partition },
              el('td', { 'class': 'num' }, el('a', { href: '#', 'data-browse': p.partition, title: 'browse its records' },
                String(p.partition))),
              numCell(p.leader), numCell(p.logStartOffset, 'log-start'),
              numCell(p.highWatermark, 'high-watermark'), numCell(p.records, 'records'),
              el('td', { 'class': 'num', 'data-value': p.bytes }, bytes(p.bytes)));
          }), 'No partitions.'));
        partitions.body.querySelectorAll('a[data-browse]').forEach(function (a) {
          a.addEventListener('click', function (ev) {
            ev.preventDefault();
            browser.show(Number(a.getAttribute('data-browse')), null);
          });
        });
        var keys = Object.keys(t.configs || {}).sort();
        replace(configs.body, table(['Config', 'Value'], keys.map(function (k) {
          return el('tr', { 'data-config': k }, el('td', null, el('code', null, k)), el('td', null, t.configs[k]));
        }), 'No configs.'));
        rates.update(r[1]);
        return browser.partitions(t.partitions);
      });
    };
  }

  function fact(label, value) {
    return el('span', null, label + ' ', el('b', null, value === null || value === undefined ? '–' : value));
  }

  /**
   * The message browser of a topic page: a partition and an offset (empty: the latest records) picked in a form,
   * the records below, older/newer paging. The choice is kept in the URL (#/topics/<name>?partition=P&offset=O).
   */
  function messageBrowser(name, query) {
    var s = section('Messages');
    var partitionSelect = el('select', { name: 'partition', id: 'browse-partition' });
    var offsetInput = el('input', { type: 'number', name: 'offset', id: 'browse-offset', min: 0, placeholder: 'latest' });
    var limitSelect = el('select', { name: 'limit', id: 'browse-limit' },
      [20, 50, 100, 500].map(function (n) { return el('option', { value: n }, String(n)); }));
    var form = el('form', { 'class': 'browse' },
      el('label', null, 'Partition', partitionSelect),
      el('label', null, 'From offset', offsetInput),
      el('label', null, 'Records', limitSelect),
      el('button', { type: 'submit', 'class': 'primary', id: 'browse-show' }, 'Show'),
      el('button', { type: 'button', id: 'browse-latest' }, 'Latest'),
      el('button', { type: 'button', id: 'browse-older' }, '◀ Older'),
      el('button', { type: 'button', id: 'browse-newer' }, 'Newer ▶'));
    var out = el('div', { id: 'records' });
    s.body.appendChild(form);
    s.body.appendChild(out);
    var seq = 0;
    var known = null; // the topic's partitions, once read
    var shown = null; // the last answer shown
    var initial = {
      partition: query.partition !== undefined ? Number(query.partition) : 0,
      offset: query.offset !== undefined && query.offset !== '' ? Number(query.offset) : null
    };

    function show(partition, offset) {
      partitionSelect.value = String(partition);
      offsetInput.value = offset === null ? '' : String(offset);
      var limit = Number(limitSelect.value);
      var mine = ++seq;
      var url = 'topics/' + encodeURIComponent(name) + '/partitions/' + partition + '/records?limit=' + limit +
        (offset === null ? '' : '&offset=' + offset);
      var hash = topicHref(name, partition, offset);
      if (location.hash !== hash) {
        history.replaceState(null, '', hash);
      }
      out.setAttribute('data-loaded', 'false');
      return api(url).then(function (r) {
        if (mine === seq) {
          shown = r;
          replace(out, recordsView(r));
          out.setAttribute('data-loaded', partition + ':' + (offset === null ? 'latest' : offset));
        }
      }, function (e) {
        if (mine === seq) {
          shown = null;
          replace(out, errorBox(e));
          out.setAttribute('data-loaded', 'error');
        }
      });
    }

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var o = offsetInput.value.trim();
      show(Number(partitionSelect.value), o === '' ? null : Math.max(0, Math.floor(Number(o))));
    });
    partitionSelect.addEventListener('change', function () {
      show(Number(partitionSelect.value), null);
    });
    form.querySelector('#browse-latest').addEventListener('click', function () {
      show(Number(partitionSelect.value), null);
    });
    form.querySelector('#browse-older').addEventListener('click', function () {
      if (shown) {
        var first = shown.records.length ? shown.records[0].offset : shown.highWatermark;
        show(shown.partition, Math.max(shown.logStartOffset, first - Number(limitSelect.value)));
      }
    });
    form.querySelector('#browse-newer').addEventListener('click', function () {
      if (shown && shown.records.length) {
        show(shown.partition, shown.records[shown.records.length - 1].offset + 1);
      }
    });

    return {
      section: s,
      show: function (partition, offset) {
        s.scrollIntoView();
        return show(partition, offset);
      },
      /** Called with the topic's partitions at every refresh; the first call loads the records. */
      partitions: function (list) {
        if (known !== null && known.length === list.length) {
          return null;
        }
        var selected = known === null ? initial.partition : Number(partitionSelect.value);
        known = list;
        replace(partitionSelect, list.map(function (p) {
          return el('option', { value: p.partition }, String(p.partition));
        }));
        partitionSelect.value = String(selected);
        if (shown === null && seq === 0) {
          return show(selected, initial.offset);
        }
        return null;
      }
    };
  }

  function recordsView(r) {
    var first = r.records.length ? r.records[0].offset : null;
    var last = r.records.length ? r.records[r.records.length - 1].offset : null;
    var summary = el('p', { 'class': 'muted' }, 'Partition ' + r.partition + ': offsets ' + num(r.logStartOffset) +
      ' to ' + num(r.highWatermark - 1) + (first === null ? '; no records here.' :
      '; showing ' + num(first) + ' to ' + num(last) + '.'));
    var rows = r.records.map(function (rec) {
      return el('tr', { 'data-offset': rec.offset, 'data-partition': r.partition },
        el('td', { 'class': 'num offset' }, num(rec.offset)),
        el('td', { 'class': 'timestamp' }, iso(rec.timestamp)),
        el('td', { 'class': 'key' }, payload(rec.key, rec.keyEncoding)),
        el('td', { 'class': 'value' }, payload(rec.value, rec.valueEncoding)),
        el('td', { 'class': 'headers' }, (rec.headers || []).map(function (h) {
          return el('div', null, el('code', null, h.key), ': ', payload(h.value, h.valueEncoding));
        })));
    });
    return [summary, table(['#Offset', 'Timestamp', 'Key', 'Value', 'Headers'], rows, 'No records.')];
  }

  /** A key, value or header value: JSON pretty-printed, else text, else hex of the bytes when they are binary. */
  function payload(value, encoding) {
    if (value === null || value === undefined) {
      return el('span', { 'class': 'null' }, 'null');
    }
    if (encoding === 'base64') {
      return el('pre', { 'class': 'hex', title: 'binary, shown as hex' }, hex(value));
    }
    var trimmed = value.trim();
    if (trimmed.charAt(0) === '{' || trimmed.charAt(0) === '[') {
      try {
        return el('pre', { 'class': 'json' }, JSON.stringify(JSON.parse(trimmed), null, 2));
      } catch (e) {
        // not JSON: shown as text
      }
    }
    return el('pre', { 'class': 'text' }, value);
  }

  function hex(base64) {
    var raw;
    try {
      raw = atob(base64);
    } catch (e) {
      return base64;
    }
    var out = [];
    for (var i = 0; i < raw.length; i++) {
      var h = raw.charCodeAt(i).toString(16);
      out.push((h.length < 2 ? '0' : '') + h + ((i + 1) % 16 === 0 ? '\n' : ''));
    }
    return out.join(' ').replace(/\n /g, '\n');
  }

  function groupPage(page, id) {
    var facts = el('p', { 'class': 'facts' });
    var members = section('Members');
    var offsets = section('Lag by partition');
    var lag = historySection('Lag over time (records)', function (h) {
      var g = (h.groups || {})[id] || {};
      return plot(h.timestamps, [{ name: 'total lag', values: g.lag || [] }], '');
    });
    page.render(el('h1', null, 'Consumer group ', el('code', null, id)), facts,
      el('div', { 'class': 'grid' }, lag, members), offsets);
    return function () {
      return Promise.all([api('groups/' + encodeURIComponent(id)), loadHistory()]).then(function (r) {
        var g = r[0];
        // A group another broker coordinates comes with null state and members: only its coordinator knows them.
        replace(facts, fact('state', g.state), fact('protocol', g.protocolType || '–'),
          fact('coordinator', g.coordinator), fact('members', g.members ? num(g.members.length) : null),
          el('span', { 'class': 'total-lag' }, 'total lag ', el('b', { 'class': 'lag', 'data-value': g.lag }, num(g.lag))));
        replace(members.body, table(['Member', 'Client', 'Host', 'Assignments'], (g.members || []).map(function (m) {
          return el('tr', { 'data-member': m.memberId },
            el('td', null, el('code', null, m.memberId)), el('td', null, m.clientId), el('td', null, m.host),
            el('td', null, (m.assignments || []).map(function (a) {
              return el('span', { 'class': 'tag' }, a.topic + '-' + a.partition);
            })));
        }), g.members ? 'No members (no consumer is in the group now).' : 'Known to the coordinator, broker ' +
          g.coordinator + '.'));
        replace(offsets.body, table(['Topic', '#Partition', '#Committed offset', '#High watermark', '#Lag'],
          (g.offsets || []).map(function (o) {
            return el('tr', { 'data-topic': o.topic, 'data-partition': o.partition },
              el('td', null, el('a', { href: topicHref(o.topic) }, o.topic)), numCell(o.partition),
              el('td', { 'class': 'num committed' }, el('a', { href: topicHref(o.topic, o.partition, o.committedOffset),
                title: 'browse from the committed offset' }, num(o.committedOffset))),
              numCell(o.highWatermark, 'high-watermark'), numCell(o.lag, 'lag'));
          }), 'No committed offsets.'));
        lag.update(r[1]);
      });
    };
  }

  function brokersPage(page) {
    var brokers = section('Brokers');
    page.render(el('h1', null, 'Brokers'), brokers);
    return function () {
      return api('brokers').then(function (list) {
        replace(brokers.body, table(['#Node', 'Rack', 'Role', 'Endpoints'], list.map(function (b) {
          return el('tr', { 'data-broker': b.nodeId },
            numCell(b.nodeId), el('td', null, b.rack === null || b.rack === undefined ? '–' : b.rack),
            el('td', null, b.controller ? el('span', { 'class': 'tag on' }, 'controller') : null,
              b.self ? el('span', { 'class': 'tag' }, 'this broker') : null),
            el('td', { 'class': 'endpoints' }, (b.endpoints || []).map(function (e) {
              return el('div', null, el('code', null, e.listener + '://' + e.host + ':' + e.port));
            })));
        }), 'No brokers registered.'));
      });
    };
  }

  // ---- routing ----

  function parseHash() {
    var h = location.hash.replace(/^#/, '') || '/';
    var q = h.indexOf('?');
    var path = q < 0 ? h : h.substring(0, q);
    var query = {};
    if (q >= 0) {
      h.substring(q + 1).split('&').forEach(function (kv) {
        if (kv) {
          var i = kv.indexOf('=');
          query[decodeURIComponent(i < 0 ? kv : kv.substring(0, i))] = i < 0 ? '' : decodeURIComponent(kv.substring(i + 1));
        }
      });
    }
    var parts = path.split('/').filter(function (p) { return p !== ''; }).map(decodeURIComponent);
    return { parts: parts, query: query };
  }

  function route() {
    clearTimeout(timer);
    var r = parseHash();
    var token = {};
    var page = {
      render: function () {
        replace.apply(null, [main].concat(Array.prototype.slice.call(arguments)));
      }
    };
    document.body.dataset.loaded = 'false';
    var nav = 'front';
    var refresh;
    if (r.parts.length === 0) {
      document.title = 'Korvet console';
      refresh = frontPage(page);
    } else if (r.parts[0] === 'topics' && r.parts.length === 2) {
      document.title = r.parts[1] + ' · Korvet';
      refresh = topicPage(page, r.parts[1], r.query);
    } else if (r.parts[0] === 'groups' && r.parts.length === 2) {
      document.title = r.parts[1] + ' · Korvet';
      refresh = groupPage(page, r.parts[1]);
    } else if (r.parts[0] === 'brokers' && r.parts.length === 1) {
      document.title = 'Brokers · Korvet';
      nav = 'brokers';
      refresh = brokersPage(page);
    } else {
      page.render(el('h1', null, 'Not found'), errorBox(new ApiError(404, 'no such page: ' + location.hash)),
        el('p', null, el('a', { href: '#/' }, 'Back to the overview')));
      document.body.dataset.loaded = 'error';
      return;
    }
    document.querySelectorAll('header nav a').forEach(function (a) {
      a.classList.toggle('active', a.getAttribute('data-nav') === nav);
    });
    current = { token: token, refresh: refresh };
    tick(token);
  }

  /** Reads and renders the page's data, then again every few seconds while the page stays on screen. */
  function tick(token) {
    var errors = main.querySelector(':scope > .error.page');
    current.refresh().then(function () {
      if (current.token !== token) {
        return;
      }
      if (errors) {
        errors.remove();
      }
      main.classList.remove('failed');
      document.body.dataset.loaded = 'true';
      document.getElementById('updated').textContent = 'updated ' + clock(Date.now());
    }, function (e) {
      if (current.token !== token) {
        return;
      }
      var box = errorBox(e instanceof ApiError ? e : new ApiError(0, String(e && e.message || e)));
      box.classList.add('page');
      if (errors) {
        errors.replaceWith(box);
      } else {
        main.insertBefore(box, main.firstChild.nextSibling);
      }
      if (document.body.dataset.loaded !== 'true') {
        main.classList.add('failed'); // nothing to show but the error until a read succeeds
        document.body.dataset.loaded = 'error';
      }
    }).then(function () {
      if (current.token === token) {
        timer = setTimeout(function () { tick(token); }, REFRESH_MS);
      }
    });
  }

  window.addEventListener('hashchange', route);
  route();
}());
