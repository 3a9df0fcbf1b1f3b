// What every page must hold, read in the browser after it has loaded. Answers a list of
// findings (empty when the page is fine). `arguments[0]`: the user data (names, addresses,
// titles, whatever people typed) that may stay Chinese on an English page, as one string.
const userData = arguments[0] || '';
const phone = window.innerWidth <= 480;
const english = document.documentElement.lang === 'en';
const found = [];

function visible(el) {
  // What a closed <details> holds is not shown (its summary is).
  const closed = el.closest('details:not([open])');
  if (closed && !el.closest('summary')) return false;
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  for (let e = el; e; e = e.parentElement) {
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden' || cs.opacity === '0') return false;
    if (e.getAttribute && e.getAttribute('aria-hidden') === 'true') return false;
  }
  // Off-screen helpers (the skip link until it has focus).
  return r.right > 0 && r.bottom > 0 && r.left < window.innerWidth;
}

function describe(el) {
  let d = el.tagName.toLowerCase();
  if (el.id) d += '#' + el.id;
  if (typeof el.className === 'string' && el.className.trim()) d += '.' + el.className.trim().split(/\s+/).join('.');
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
  return d + ' "' + text.slice(0, 40) + '"';
}

// 1. Nothing scrolls sideways.
const docWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
if (docWidth > window.innerWidth) found.push('the page is ' + docWidth + ' px wide in a ' + window.innerWidth + ' px window');

// 2. Tap targets at least 44 × 44 px on a phone; an inline link in running text may be smaller.
function blockOf(el) {
  for (let e = el.parentElement; e; e = e.parentElement) {
    const d = getComputedStyle(e).display;
    if (!d.startsWith('inline') && d !== 'contents') return e;
  }
  return document.body;
}
function inRunningText(el) {
  if (!getComputedStyle(el).display.startsWith('inline') || getComputedStyle(el).display === 'inline-block') return false;
  const block = blockOf(el);
  const own = (block.innerText || '').replace(el.innerText || '', '');
  return (own.match(/\p{L}/gu) || []).length >= 4;
}
if (phone) {
  for (const el of document.querySelectorAll('a[href], button, select, input, textarea, summary')) {
    if (el.type === 'hidden') continue;
    let target = el;
    // A box to tick is tapped through its label.
    if (el.type === 'checkbox' || el.type === 'radio') target = el.closest('label') || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el;
    if (!visible(target)) continue;
    const r = target.getBoundingClientRect();
    if (r.width >= 43.5 && r.height >= 43.5) continue;
    if (el.tagName === 'A' && inRunningText(el)) continue;
    found.push('tap target ' + Math.round(r.width) + '×' + Math.round(r.height) + ' px: ' + describe(target));
  }
}

// 3. Text size; 4. inputs at 16 px on a phone.
const textNodes = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
  // Chart text is drawn to the chart's scale: checked with the charts below.
  acceptNode: (n) => (n.nodeValue.trim() && n.parentElement && !n.parentElement.closest('svg') && !['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION', 'TEXTAREA'].includes(n.parentElement.tagName) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
});
while (walker.nextNode()) textNodes.push(walker.currentNode);
const seenSmall = new Set();
for (const n of textNodes) {
  const el = n.parentElement;
  if (!visible(el)) continue;
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < 11.5 && !seenSmall.has(el)) {
    seenSmall.add(el);
    found.push('text at ' + size + ' px: ' + describe(el));
  }
}
if (phone) {
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'checkbox', 'radio', 'submit', 'button', 'file'].includes(el.type) || !visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 16) found.push('input text at ' + size + ' px: ' + describe(el));
  }
}

// A placeholder that does not fit its field is cut.
const measure = document.createElement('canvas').getContext('2d');
for (const el of document.querySelectorAll('input[placeholder]')) {
  if (!visible(el) || el.value) continue;
  const cs = getComputedStyle(el);
  measure.font = cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily;
  const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  if (measure.measureText(el.placeholder).width > room + 1) found.push('placeholder cut: ' + describe(el) + ' "' + el.placeholder + '"');
}

// 5. Text clipped by its container, or standing out of its box.
function boxed(cs) {
  const border = parseFloat(cs.borderLeftWidth) > 0 && parseFloat(cs.borderRightWidth) > 0;
  const paint = cs.backgroundColor !== 'rgba(0, 0, 0, 0)' && cs.backgroundColor !== 'transparent';
  return border || paint;
}
for (const n of textNodes) {
  const el = n.parentElement;
  if (!visible(el)) continue;
  const range = document.createRange();
  range.selectNodeContents(n);
  const r = range.getBoundingClientRect();
  if (r.width < 1) continue;
  for (let a = el; a && a !== document.body; a = a.parentElement) {
    const cs = getComputedStyle(a);
    if (cs.display.startsWith('inline')) continue;
    const box = a.getBoundingClientRect();
    const scrolls = ['auto', 'scroll'].includes(cs.overflowX);
    if (scrolls) break;
    const clips = cs.overflowX === 'hidden' || cs.overflowX === 'clip';
    // Text only for screen readers is clipped on purpose.
    if (clips && box.width <= 2) break;
    const out = r.right > box.right + 1 || r.left < box.left - 1 || r.bottom > box.bottom + 1 || r.top < box.top - 1;
    if ((clips || boxed(cs)) && out) {
      found.push((clips ? 'text clipped by ' : 'text out of its box ') + describe(a) + ': "' + n.nodeValue.trim().slice(0, 40) + '"');
      break;
    }
  }
}
for (const t of document.querySelectorAll('svg text')) {
  const svg = t.ownerSVGElement.getBoundingClientRect();
  if (svg.width < 1 || !visible(t.ownerSVGElement)) continue;
  const r = t.getBoundingClientRect();
  if (r.width > 0 && (r.left < svg.left - 1 || r.right > svg.right + 1)) found.push('chart text clipped: "' + t.textContent.trim() + '"');
  const size = parseFloat(getComputedStyle(t).fontSize) * (svg.width / (t.ownerSVGElement.viewBox.baseVal.width || svg.width));
  if (size < 11.5) found.push('chart text at ' + size.toFixed(1) + ' px: "' + t.textContent.trim() + '"');
}

// 6. No Chinese on an English page but names, addresses and what people typed.
if (english) {
  const cjk = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+/g;
  // A run of Chinese is data when the database holds it; punctuation (，：（）) only when the
  // whole word it sits in is data (晋青科教发〔2014〕01号), never glued to an English word.
  const check = (text, where) => {
    for (const m of text.matchAll(cjk)) {
      const run = m[0];
      let from = m.index;
      let to = m.index + run.length;
      while (from > 0 && !/\s/.test(text[from - 1])) from--;
      while (to < text.length && !/\s/.test(text[to])) to++;
      const word = text.slice(from, to).replace(/^[·,.;:()]+|[·,.;:()…]+$/g, '');
      const known = /[\u3000-\u303f\uff00-\uff20\uff3b-\uff40\uff5b-\uff65]/.test(run) ? userData.includes(word) : userData.includes(run);
      if (!known) {
        found.push('Chinese on an English page: "' + run + '" in ' + where + ' "' + text.trim().slice(0, 50) + '"');
        break;
      }
    }
  };
  // Words marked as Chinese (lang="zh-CN": the switch to Chinese, the headings a Chinese roster
  // file carries) are meant to be read as they are.
  const chinese = (el) => { const l = el.closest('[lang]'); return l && !l.lang.startsWith('en'); };
  for (const n of textNodes) if (visible(n.parentElement) && !chinese(n.parentElement)) check(n.nodeValue, describe(n.parentElement));
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
    if (chinese(el)) continue;
    for (const attr of ['placeholder', 'title', 'aria-label']) if (el.getAttribute(attr)) check(el.getAttribute(attr), attr + ' of ' + describe(el));
  }
  for (const t of document.querySelectorAll('svg text')) if (visible(t.ownerSVGElement)) check(t.textContent, 'a chart');
  check(document.title, 'the title');
}

return found;
