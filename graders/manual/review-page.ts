// The review page served by `dlgrade review`: self-contained (no network), student text only ever set as text.
export const REVIEW_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dlgrade review</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem; color: #222; }
header { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; position: sticky; top: 0; background: #fff; padding: .5rem 0; border-bottom: 1px solid #ddd; }
header h1 { font-size: 1.2rem; margin: 0; }
.muted { color: #666; }
section.question { border: 2px solid #ddd; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
section.question.focused { border-color: #1f6feb; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(16rem, 2fr); gap: 1rem; }
@media (max-width: 50rem) { .layout { grid-template-columns: 1fr; } }
pre { white-space: pre-wrap; background: #f6f8fa; padding: .5rem; border-radius: 4px; max-height: 30rem; overflow: auto; }
img { max-width: 100%; border: 1px solid #ddd; }
label.item { display: block; padding: .2rem 0; }
kbd { border: 1px solid #bbb; border-radius: 3px; padding: 0 .3rem; font-size: .8rem; }
.scored { color: #1a7f37; } .pending { color: #9a6700; } .problem { color: #cf222e; }
textarea { width: 100%; min-height: 3rem; }
</style>
</head>
<body>
<header>
  <h1 id="title">dlgrade review</h1>
  <button id="prev" title="previous student (k or ←)">← prev</button>
  <strong id="student" data-testid="student"></strong>
  <span id="position" class="muted"></span>
  <button id="next" title="next student (j or →)">next →</button>
  <span id="status" class="muted" data-testid="status"></span>
</header>
<p class="muted">Keys: <kbd>j</kbd>/<kbd>→</kbd> next student, <kbd>k</kbd>/<kbd>←</kbd> previous, <kbd>↓</kbd>/<kbd>↑</kbd> next/previous question,
<kbd>1</kbd>–<kbd>9</kbd> tick a rubric item, <kbd>c</kbd> comment, <kbd>s</kbd> save the question, <kbd>Enter</kbd> save every question and go to the next student.
Scores go to <code id="file"></code>.</p>
<main id="questions"></main>
<script>
// shown: the questions of the current student (an unrecognised section appears only for students who wrote it).
let state, index = 0, focus = 0, shown = [];
const el = (tag, props = {}, ...children) => { const e = Object.assign(document.createElement(tag), props); for (const c of children) e.append(c); return e; };
const signed = (x) => (x > 0 ? '+' : '') + x;

async function load() {
  state = await (await fetch('/api/state')).json();
  document.getElementById('title').textContent = state.assignment.title + ' — review';
  document.getElementById('file').textContent = state.scoresFile;
  render();
}

function render() {
  const student = state.students[index];
  document.getElementById('student').textContent = student.id;
  document.getElementById('position').textContent = '(' + (index + 1) + ' of ' + state.students.length + ')';
  const main = document.getElementById('questions');
  main.replaceChildren();
  shown = state.questions.filter((q) => student.questions[q.id]);
  shown.forEach((q, qi) => {
    const mine = student.questions[q.id];
    const material = el('div', { className: 'material' });
    for (const m of mine.material) {
      const fig = el('figure', {}, el('figcaption', { className: 'muted', textContent: m.source }));
      if (m.data && m.mediaType.startsWith('image/')) fig.append(el('img', { src: 'data:' + m.mediaType + ';base64,' + m.data, alt: m.source }));
      if (m.text !== undefined) fig.append(el('pre', { textContent: m.text }));
      if (m.problem) fig.append(el('p', { className: 'problem', textContent: m.problem }));
      material.append(fig);
    }
    const rubric = el('div', { className: 'rubric' });
    q.rubric.forEach((item, i) => {
      const box = el('input', { type: 'checkbox', checked: mine.given.includes(item.id) });
      box.dataset.item = item.id;
      rubric.append(el('label', { className: 'item' }, box, ' ', el('kbd', { textContent: String(i + 1) }), ' ', item.text + ' (' + signed(item.points) + ')'));
    });
    const comment = el('textarea', { value: mine.comment, placeholder: 'comment for the student (optional)' });
    const save = el('button', { textContent: 'save' });
    save.onclick = () => saveQuestion(qi);
    const verdict = el('p');
    showVerdict(verdict, q, mine);
    verdict.dataset.testid = 'verdict-' + q.id;
    const section = el('section', { className: 'question' + (qi === focus ? ' focused' : '') },
      el('h2', { textContent: q.title + ' (' + q.points + ' pt)' }),
      el('div', { className: 'layout' }, material, el('div', {}, rubric, comment, save, verdict)));
    section.dataset.question = q.id;
    section.onclick = () => { focus = qi; markFocus(); };
    main.append(section);
  });
}

function showVerdict(verdict, q, mine) {
  verdict.className = mine.scored ? 'scored' : 'pending';
  verdict.textContent = mine.scored ? 'scored: ' + mine.points + ' / ' + q.points : 'pending (not scored yet)';
}

function markFocus() {
  document.querySelectorAll('section.question').forEach((s, i) => s.classList.toggle('focused', i === focus));
  document.querySelectorAll('section.question')[focus]?.scrollIntoView({ block: 'nearest' });
}

async function saveQuestion(qi) {
  const q = shown[qi];
  const section = document.querySelectorAll('section.question')[qi];
  const items = {};
  section.querySelectorAll('input[type=checkbox]').forEach((b) => { items[b.dataset.item] = b.checked; });
  const comment = section.querySelector('textarea').value;
  const student = state.students[index];
  const res = await fetch('/api/score', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ student: student.id, question: q.id, items, comment }) });
  const body = await res.json();
  const status = document.getElementById('status');
  if (!res.ok) { status.textContent = 'not saved: ' + body.error; status.className = 'problem'; return false; }
  state.students[index] = body;
  // The saved question shows its new score at once; the rest of the page stays as it is being edited.
  showVerdict(section.querySelector('[data-testid^="verdict-"]'), q, body.questions[q.id]);
  status.textContent = 'saved ' + student.id + ' / ' + q.id; status.className = 'scored';
  return true;
}

async function saveAll() {
  for (let qi = 0; qi < shown.length; qi++) if (!(await saveQuestion(qi))) return;
  move(1);
}

function move(step) {
  index = Math.min(state.students.length - 1, Math.max(0, index + step));
  focus = 0;
  render();
}

document.getElementById('prev').onclick = () => move(-1);
document.getElementById('next').onclick = () => move(1);
document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLTextAreaElement) { if (e.key === 'Escape') e.target.blur(); return; }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const section = document.querySelectorAll('section.question')[focus];
  if (e.key === 'j' || e.key === 'ArrowRight') move(1);
  else if (e.key === 'k' || e.key === 'ArrowLeft') move(-1);
  else if (e.key === 'ArrowDown') { focus = Math.min(shown.length - 1, focus + 1); markFocus(); }
  else if (e.key === 'ArrowUp') { focus = Math.max(0, focus - 1); markFocus(); }
  else if (/^[1-9]$/.test(e.key)) { const box = section?.querySelectorAll('input[type=checkbox]')[Number(e.key) - 1]; if (box) box.checked = !box.checked; }
  else if (e.key === 'c') { section?.querySelector('textarea').focus(); }
  else if (e.key === 's') saveQuestion(focus);
  else if (e.key === 'Enter') saveAll();
  else return;
  e.preventDefault();
});
load();
</script>
</body>
</html>
`;
