/*
 * The case diagram: the procedure's BPMN drawn by the bpmn-js navigated viewer (global `BpmnJS`, vendored by
 * bin/setup into /static/vendor/bpmn-js/), with the case's completed, current and waiting elements marked.
 *
 *   <link rel="stylesheet" href="/static/vendor/bpmn-js/assets/diagram-js.css">
 *   <link rel="stylesheet" href="/static/vendor/bpmn-js/assets/bpmn-js.css">
 *   <link rel="stylesheet" href="/static/vendor/bpmn-js/assets/bpmn-font/css/bpmn-embedded.css">
 *   <link rel="stylesheet" href="/static/css/diagram.css">
 *   <script src="/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"></script>
 *   <script src="/static/js/diagram.js"></script>
 *   <div id="case-diagram"></div>
 *   <script>EnforceFlowDiagram.show(document.getElementById('case-diagram'), '/api/cases/1/progress');</script>
 *
 * The URL answers JSON {bpmn_xml, completed: [ids], ready: [ids], waiting: [ids]}.
 */
(function (global) {
  'use strict';

  var READABLE_SCALE = 0.8;  // below about half size the Chinese labels cannot be read

  var MARKS = [
    { key: 'completed', marker: 'ef-completed', label: '已完成' },
    { key: 'ready', marker: 'ef-ready', label: '当前待办' },
    { key: 'waiting', marker: 'ef-waiting', label: '等待中' }
  ];

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function legend(actions) {
    var box = element('div', 'ef-diagram-legend');
    MARKS.forEach(function (mark) {
      var item = element('span', 'ef-legend-item');
      item.appendChild(element('span', 'ef-legend-swatch ' + mark.marker));
      item.appendChild(element('span', 'ef-legend-label', mark.label));
      box.appendChild(item);
    });
    var tools = element('span', 'ef-diagram-tools');
    actions.forEach(function (action) {
      var button = element('button', 'ef-diagram-button', action.label);
      button.type = 'button';
      button.addEventListener('click', action.run);
      tools.appendChild(button);
    });
    box.appendChild(tools);
    return box;
  }

  function fitAll(viewer) {
    viewer.get('canvas').zoom('fit-viewport', 'auto');
  }

  /** Centre the first current (else waiting) element at a readable scale; false when there is none. */
  function focusCurrent(viewer, progress) {
    var registry = viewer.get('elementRegistry');
    var ids = (progress.ready || []).concat(progress.waiting || []);
    var target = ids.map(function (id) { return registry.get(id); }).filter(Boolean)[0];
    if (!target) return false;
    var canvas = viewer.get('canvas');
    var outer = canvas.viewbox().outer;
    var scale = READABLE_SCALE;
    canvas.viewbox({
      x: target.x + target.width / 2 - outer.width / scale / 2,
      y: target.y + target.height / 2 - outer.height / scale / 2,
      width: outer.width / scale,
      height: outer.height / scale
    });
    return true;
  }

  function fail(container, error) {
    var reason = (error && error.message) || String(error || '未知错误');
    container.replaceChildren(element('p', 'ef-diagram-error', '流程图加载失败：' + reason));
  }

  async function fetchProgress(url) {
    var response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    var body = null;
    try {
      body = await response.json();
    } catch (ignored) {
      body = null;
    }
    if (!response.ok) {
      var said = body && (body.error || body.message);
      throw new Error(said || '服务器返回 ' + response.status);
    }
    if (!body || typeof body.bpmn_xml !== 'string') {
      throw new Error('服务器未返回流程图');
    }
    return body;
  }

  function mark(viewer, progress) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    MARKS.forEach(function (m) {
      (progress[m.key] || []).forEach(function (id) {
        if (registry.get(id)) canvas.addMarker(id, m.marker);  // ids not drawn (e.g. on another plane) are skipped
      });
    });
  }

  /** Draw the diagram of `progressJsonUrl` into `container` (an element or a selector); resolves to the viewer. */
  async function show(container, progressJsonUrl) {
    if (typeof container === 'string') container = document.querySelector(container);
    if (!container) throw new Error('EnforceFlowDiagram.show: container not found');
    if (container._efViewer) {
      container._efViewer.destroy();
      container._efViewer = null;
    }
    container.classList.add('ef-diagram');
    container.replaceChildren(element('p', 'ef-diagram-loading', '流程图加载中…'));
    try {
      if (typeof global.BpmnJS !== 'function') throw new Error('流程图查看器未安装（请运行 bin/setup）');
      var progress = await fetchProgress(progressJsonUrl);
      var canvasBox = element('div', 'ef-diagram-canvas');
      var viewer = null;
      container.replaceChildren(legend([
        { label: '全图', run: function () { fitAll(viewer); } },
        { label: '定位当前步骤', run: function () { focusCurrent(viewer, progress); } }
      ]), canvasBox);
      viewer = new global.BpmnJS({ container: canvasBox });
      container._efViewer = viewer;
      await viewer.importXML(progress.bpmn_xml);
      mark(viewer, progress);
      fitAll(viewer);
      // A long procedure fitted into the box is too small to read: then start at the current step instead.
      if (viewer.get('canvas').viewbox().scale < READABLE_SCALE / 2) focusCurrent(viewer, progress);
      return viewer;
    } catch (error) {
      if (container._efViewer) {
        container._efViewer.destroy();
        container._efViewer = null;
      }
      fail(container, error);
      return null;
    }
  }

  global.EnforceFlowDiagram = { show: show };
})(window);
