/* Schema forms (web/schemaform.py): repeatable rows and conditional fields. Plain ES2017, no build step.
 *
 * Each [data-schema-form] block works on its own, so several forms can share a page.
 *  - [data-repeat="evidence"][data-repeat-id="f-evidence"]: rows in .repeat-rows > .repeat-row[data-index],
 *    a blank row in template.repeat-template (index __INDEX__), buttons .repeat-add / .repeat-remove,
 *    data-min-items / data-max-items. Row names and ids are renumbered 0..n-1 after every change.
 *  - [data-show-when="party.type"][data-show-value="法人或其他组织"] (or data-show-values='["a","b"]'):
 *    shown only while that field has (or, for checkboxes, includes) one of the values; hidden controls are
 *    disabled so they are not posted.
 *  - [data-require-when]/[data-require-value(s)]: always shown; data-optional (which hides the * mark) is
 *    set while the condition does not hold.
 * window.EnforceFlowForms.init(element) sets up forms added to the page later.
 */
(function () {
  'use strict';

  const INDEX = '__INDEX__';
  const NAME_ATTRS = ['name', 'data-show-when', 'data-require-when', 'data-repeat'];
  const ID_ATTRS = ['id', 'for', 'aria-describedby', 'data-repeat-id'];

  function escapeRe(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }

  /* Change a row's index from `from` to `to` in every name- and id-like attribute under `node`. */
  function reindex(node, box, from, to) {
    const name = box.getAttribute('data-repeat');
    const id = box.getAttribute('data-repeat-id');
    const rules = [
      [NAME_ATTRS, new RegExp('^' + escapeRe(name + '.' + from) + '(?=\\.|$)'), name + '.' + to],
      [ID_ATTRS, new RegExp('^' + escapeRe(id + '-' + from) + '(?=-|$)'), id + '-' + to],
    ];
    const elements = Array.from(node.querySelectorAll('*'));
    if (node.nodeType === Node.ELEMENT_NODE) elements.unshift(node);
    elements.forEach(function (el) {
      rules.forEach(function ([attrs, pattern, replacement]) {
        attrs.forEach(function (attr) {
          const value = el.getAttribute(attr);
          if (value !== null) {
            el.setAttribute(attr, value.split(/\s+/).map((t) => t.replace(pattern, replacement)).join(' '));
          }
        });
      });
      if (el.tagName === 'TEMPLATE') reindex(el.content, box, from, to);
    });
  }

  function rowsOf(box) {
    const holder = box.querySelector(':scope > .repeat-rows');
    return holder ? Array.from(holder.children).filter((el) => el.classList.contains('repeat-row')) : [];
  }

  function renumber(box) {
    const rows = rowsOf(box);
    rows.forEach(function (row, i) {
      const old = row.getAttribute('data-index');
      if (old !== String(i)) {
        reindex(row, box, old, String(i));
        row.setAttribute('data-index', String(i));
      }
      const number = row.querySelector('.repeat-no');
      if (number) number.textContent = String(i + 1);
    });
    const min = Number(box.getAttribute('data-min-items') || 0);
    const max = Number(box.getAttribute('data-max-items') || Infinity);
    rows.forEach(function (row) {
      const remove = row.querySelector(':scope > .repeat-remove');
      if (remove) remove.disabled = rows.length <= min;
    });
    const add = box.querySelector(':scope > .repeat-add');
    if (add) add.disabled = rows.length >= max;
  }

  function addRow(box) {
    const template = box.querySelector(':scope > template.repeat-template');
    const fragment = template.content.cloneNode(true);
    const index = String(rowsOf(box).length);
    reindex(fragment, box, INDEX, index);
    const row = fragment.firstElementChild;
    row.setAttribute('data-index', index);
    box.querySelector(':scope > .repeat-rows').appendChild(fragment);
    renumber(box);
    row.querySelectorAll('[data-repeat]').forEach(renumber);
    return row;
  }

  function controls(root, name) {
    return Array.from(root.querySelectorAll('input, select, textarea')).filter((el) => el.name === name);
  }

  /* The values a field would post now: nothing ticked or disabled counts as "". */
  function currentValues(root, name) {
    const values = [];
    controls(root, name).forEach(function (el) {
      if (el.matches(':disabled')) return;
      if (el.type === 'radio' || el.type === 'checkbox') {
        if (el.checked) values.push(el.value);
      } else {
        values.push(el.value);
      }
    });
    return values.length ? values : [''];
  }

  function holds(root, el, kind) {
    const many = el.getAttribute('data-' + kind + '-values');
    const wanted = many ? JSON.parse(many) : [el.getAttribute('data-' + kind + '-value')];
    return currentValues(root, el.getAttribute('data-' + kind + '-when')).some((v) => wanted.includes(v));
  }

  function setShown(el, on) {
    el.hidden = !on;
    if (el.tagName === 'FIELDSET') {
      el.disabled = !on;
    } else {
      el.querySelectorAll('input, select, textarea').forEach((c) => { c.disabled = !on; });
    }
  }

  function applyConditions(root) {
    // a controlling field may itself be conditional: settle in a few passes
    for (let pass = 0; pass < 3; pass += 1) {
      root.querySelectorAll('[data-show-when]').forEach((el) => setShown(el, holds(root, el, 'show')));
    }
    root.querySelectorAll('[data-require-when]').forEach(function (el) {
      if (holds(root, el, 'require')) el.removeAttribute('data-optional');
      else el.setAttribute('data-optional', '');
    });
  }

  function onClick(root, event) {
    const button = event.target.closest('.repeat-add, .repeat-remove');
    if (!button || !root.contains(button) || button.disabled) return;
    if (button.classList.contains('repeat-add')) {
      const row = addRow(button.closest('[data-repeat]'));
      applyConditions(root);
      const first = row.querySelector('input:not([type=hidden]), select, textarea');
      if (first) first.focus();
      return;
    }
    const row = button.closest('.repeat-row');
    const box = row.parentElement.closest('[data-repeat]');
    row.remove();
    renumber(box);
    applyConditions(root);
    const add = box.querySelector(':scope > .repeat-add');
    if (add) add.focus();
  }

  function init(root) {
    if (root.hasAttribute('data-schema-form-ready')) return;
    root.setAttribute('data-schema-form-ready', '');
    root.addEventListener('click', (event) => onClick(root, event));
    root.addEventListener('change', () => applyConditions(root));
    root.querySelectorAll('[data-repeat]').forEach(renumber);
    applyConditions(root);
  }

  function initAll(scope) {
    const within = scope || document;
    if (within.matches && within.matches('[data-schema-form]')) init(within);
    within.querySelectorAll('[data-schema-form]').forEach(init);
  }

  window.EnforceFlowForms = { init: initAll };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => initAll());
  } else {
    initAll();
  }
}());
