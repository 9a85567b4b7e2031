/* jianxi: checks the online form (在系统填报) as the clerk types, with the
 * wording of the server's own findings, read from the page's
 * <script type="application/json" id="rules"> block. Advisory only: the
 * form posts without it and the server checks again and decides. */
(function () {
	'use strict';
	var form = document.getElementById('fill');
	var data = document.getElementById('rules');
	var list = document.getElementById('live-findings');
	if (!form || !data || !list) {
		return;
	}
	var R;
	try {
		R = JSON.parse(data.textContent);
	} catch (e) {
		return;
	}
	var N = 14;

	/* fills {name} placeholders in one pass: filled text is never re-read */
	function fill(tpl, vals) {
		return tpl.replace(/\{(\w+)\}/g, function (m, k) {
			return Object.prototype.hasOwnProperty.call(vals, k) ? String(vals[k]) : m;
		});
	}

	/* as the server folds a cell: full-width ASCII to ASCII, no spaces */
	function fold(s) {
		return s.replace(/[\uFF01-\uFF5E]/g, function (c) {
			return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
		}).replace(/[\s\u3000\u00a0]/g, '').toLowerCase();
	}

	/* {rule} for a bad cell, or {value} (a whole number for 1-13) */
	function parse(raw, k) {
		var s = fold(raw);
		if (s === '') {
			return {rule: 'T1'};
		}
		var m = /^([-+\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(s);
		if (!m) {
			return {rule: 'T2'};
		}
		var whole = m[2].replace(/,/g, '').replace(/^0+(?=\d)/, '');
		var frac = m[3] || '';
		var nonzero = /[1-9]/.test(whole) || /[1-9]/.test(frac);
		if (m[1] && m[1] !== '+' && nonzero) {
			return {rule: 'T3'};
		}
		var limit = String(k === N ? Math.floor(R.maxValue / 10000) : R.maxValue);
		if (whole.length > limit.length || (whole.length === limit.length && whole > limit)) {
			return {rule: 'T2big'};
		}
		if (k === N) {
			return /[1-9]/.test(frac.slice(4)) ? {rule: 'T4'} : {value: 0};
		}
		if (/[1-9]/.test(frac)) {
			return {rule: 'T4'};
		}
		return {value: Number(whole)};
	}

	function blank(input) {
		return !input || fold(input.value) === '';
	}

	function rows() {
		var out = [], total = null;
		var trs = form.querySelectorAll('tr[data-row]');
		for (var i = 0; i < trs.length; i++) {
			var tr = trs[i], r = tr.getAttribute('data-row');
			var row = {tr: tr, r: r, name: tr.querySelector('input[name="n' + r + '"]'), v: []};
			for (var k = 1; k <= N; k++) {
				row.v[k] = tr.querySelector('input[name="v' + r + '_' + k + '"]');
			}
			if (r === '0') {
				total = row;
			} else {
				out.push(row);
			}
		}
		return {units: out, total: total};
	}

	function rowBlank(row) {
		if (row.name && !blank(row.name)) {
			return false;
		}
		for (var k = 1; k <= N; k++) {
			if (!blank(row.v[k])) {
				return false;
			}
		}
		return true;
	}

	function check() {
		var all = rows(), written = [], problems = [];
		all.units.forEach(function (row) {
			if (!rowBlank(row)) {
				row.label = blank(row.name) ? '（未填写单位名称）' : row.name.value;
				written.push(row);
			}
		});
		var units = written.length;
		if (all.total && (!units || !rowBlank(all.total))) {
			all.total.label = units ? '合计' : (form.getAttribute('data-district-name') || '');
			written.push(all.total);
		}
		var inputs = form.querySelectorAll('input[data-indicator]');
		for (var i = 0; i < inputs.length; i++) {
			inputs[i].classList.remove('bad');
			inputs[i].removeAttribute('aria-invalid');
			inputs[i].removeAttribute('title');
		}
		written.forEach(function (row, at) {
			var fileRow = R.firstRow + at, vals = [], touched = !rowBlank(row);
			for (var k = 1; k <= N; k++) {
				var input = row.v[k], p = parse(input ? input.value : '', k);
				vals[k] = p;
				if (p.rule && (p.rule !== 'T1' || touched)) {
					var cell = String.fromCharCode(65 + k) + fileRow;
					problems.push({input: input, rule: p.rule === 'T2big' ? 'T2' : p.rule,
						message: fill(R.cells[p.rule][k - 1], {cell: cell, text: input ? input.value : ''})});
				}
			}
			var prefix = written.length > 1 ? fill(R.prefix, {row: fileRow, name: row.label}) : '';
			R.relations.forEach(function (rel) {
				var l = vals[rel.left], a = vals[rel.right], b = rel.plus ? vals[rel.plus] : {value: 0};
				if (l.rule || a.rule || b.rule || l.value >= a.value + b.value) {
					return;
				}
				problems.push({input: row.v[rel.left], rule: rel.rule, message: fill(rel.message, {
					prefix: prefix, lv: l.value, rv: a.value,
					pv: rel.plus ? b.value : '', sum: rel.plus ? a.value + b.value : ''
				})});
			});
		});
		while (list.firstChild) {
			list.removeChild(list.firstChild);
		}
		problems.forEach(function (p) {
			var li = document.createElement('li');
			li.className = 'finding';
			li.setAttribute('data-rule', p.rule);
			if (p.input) {
				li.setAttribute('data-field', p.input.name);
				p.input.classList.add('bad');
				p.input.setAttribute('aria-invalid', 'true');
				p.input.title = p.input.title ? p.input.title + '；' + p.message : p.message;
			}
			var rule = document.createElement('span');
			rule.className = 'rule';
			rule.textContent = p.rule;
			li.appendChild(rule);
			li.appendChild(document.createTextNode(' ' + p.message));
			list.appendChild(li);
		});
	}

	form.addEventListener('input', check);
	check();
}());
