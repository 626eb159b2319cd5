// Pipeline board: drag a card onto a column to move that creator. The move
// goes through the JSON API with the page's CSRF token; the page then reloads
// so counts, overdue markers and the audit log stay the server's truth.
(function () {
  var board = document.querySelector('.board[data-campaign]');
  if (!board) return;
  var campaign = board.getAttribute('data-campaign');
  var headers = {};
  try { headers = JSON.parse(document.body.getAttribute('hx-headers') || '{}'); } catch (e) {}
  board.querySelectorAll('.mcard').forEach(function (card) {
    card.addEventListener('dragstart', function (ev) {
      ev.dataTransfer.setData('text/plain', card.getAttribute('data-member'));
    });
  });
  board.querySelectorAll('.col').forEach(function (col) {
    col.addEventListener('dragover', function (ev) { ev.preventDefault(); col.classList.add('over'); });
    col.addEventListener('dragleave', function () { col.classList.remove('over'); });
    col.addEventListener('drop', function (ev) {
      ev.preventDefault();
      col.classList.remove('over');
      var member = parseInt(ev.dataTransfer.getData('text/plain'), 10);
      if (!member) return;
      moveMembers([member], col.getAttribute('data-stage'));
    });
  });
  function moveMembers(ids, to) {
    var h = { 'Content-Type': 'application/json' };
    for (var k in headers) h[k] = headers[k];
    fetch('/api/v1/campaigns/' + campaign + '/members/move', {
      method: 'POST', headers: h, credentials: 'same-origin',
      body: JSON.stringify({ member_ids: ids, to: to, note: 'dragged on the board' })
    }).then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) {
        var msg = res[0] ? ('Moved ' + res[1].done + '.') : (res[1].error ? res[1].error.message : 'Move failed');
        if (res[0] && res[1].skipped && res[1].skipped.length) {
          msg += ' ' + res[1].skipped.map(function (s) { return '@' + s.handle + ': ' + s.reason; }).join('. ');
        }
        window.location.search = '?msg=' + encodeURIComponent(msg);
      });
  }
  var all = document.getElementById('select-all');
  if (all) all.addEventListener('change', function () {
    board.querySelectorAll('input[name=member]').forEach(function (c) { c.checked = all.checked; });
  });
  board.querySelectorAll('.col input.col-all').forEach(function (box) {
    box.addEventListener('change', function () {
      box.closest('.col').querySelectorAll('input[name=member]').forEach(function (c) { c.checked = box.checked; });
    });
  });
})();
