"use strict";
// The indicators table: rows decoded from the embedded JSON, sorted, filtered, paged.
(() => {
  const PAGE = 100;
  const data = JSON.parse(document.getElementById("indicator-data").textContent);
  const A = data.articles;
  const R = data.rows;
  const decode = (c) => c.codes.map((k) => (k < 0 ? null : c.values[k]));
  const cols = {};
  for (const k of ["surface", "approx", "unit", "dimension", "object", "sentence", "measure",
    "direction", "basis", "period", "place"]) {
    cols[k] = decode(R[k]);
  }
  const ARROW = { up: "▲ ", down: "▼ " };
  const statistic = (i) => (cols.measure[i] === null ? null :
    (ARROW[cols.direction[i]] ?? "") + cols.measure[i] +
    (cols.basis[i] === null ? "" : ` vs ${cols.basis[i]}`));
  const rows = R.index.map((index, i) => ({
    index, value: R.value[i], lower: R.lower[i], upper: R.upper[i],
    surface: cols.surface[i], approx: cols.approx[i], unit: cols.unit[i],
    dimension: cols.dimension[i], object: cols.object[i], sentence: cols.sentence[i],
    measure: statistic(i), period: cols.period[i], place: cols.place[i],
    a: R.article[i], article: A.label[R.article[i]], published: A.published[R.article[i]],
  }));

  const fmt = (v) => (v === null ? "" : v.toLocaleString("en-US", { maximumSignificantDigits: 10 }));
  const bounds = (r) => {
    if (r.lower === null && r.upper === null) return "";
    if (r.lower === r.upper) return fmt(r.lower);
    if (r.upper === null) return "≥ " + fmt(r.lower);
    if (r.lower === null) return "≤ " + fmt(r.upper);
    return fmt(r.lower) + "–" + fmt(r.upper);
  };
  const collator = new Intl.Collator("zh");
  const compare = (x, y) => (typeof x === "number" ? x - y : collator.compare(x, y));

  const tbody = document.querySelector("#ind-table tbody");
  const heads = document.querySelectorAll("#ind-table th[data-key]");
  const q = document.getElementById("q");
  const flag = document.getElementById("f-approx");
  const dim = document.getElementById("f-dimension");
  const status = document.getElementById("status");
  let view = rows;
  let page = 0;
  let sortKey = null;
  let sortDir = 1;
  let haystacks = null;

  const cell = (tr, text, cls) => {
    const td = tr.insertCell();
    if (cls) td.className = cls;
    td.textContent = text ?? "";
    return td;
  };

  function render() {
    const pages = Math.max(1, Math.ceil(view.length / PAGE));
    page = Math.min(page, pages - 1);
    const start = page * PAGE;
    const frag = document.createDocumentFragment();
    for (const r of view.slice(start, start + PAGE)) {
      const tr = document.createElement("tr");
      const first = tr.insertCell();
      first.className = "nowrap";
      if (A.shown[r.a]) {
        const link = document.createElement("a");
        link.href = `#m-${A.id[r.a]}-${r.index}`;
        link.textContent = r.surface;
        first.append(link);
      } else {
        first.textContent = r.surface;
        first.title = "article not in the sampled article view";
      }
      cell(tr, fmt(r.value), "num");
      cell(tr, bounds(r), "num");
      const f = document.createElement("span");
      f.className = `flag f-${r.approx}`;
      f.textContent = r.approx;
      tr.insertCell().append(f);
      cell(tr, r.unit, "nowrap");
      cell(tr, r.dimension);
      cell(tr, r.object);
      cell(tr, r.measure, "nowrap");
      cell(tr, r.period, "nowrap");
      cell(tr, r.place, "nowrap");
      cell(tr, r.article, "article").title = `${r.article} (${A.id[r.a]})`;
      cell(tr, r.published, "nowrap");
      const s = cell(tr, "", "sentence");
      const at = r.sentence.indexOf(r.surface);
      if (at < 0) {
        s.textContent = r.sentence;
      } else {
        const mark = document.createElement("mark");
        mark.textContent = r.surface;
        s.append(r.sentence.slice(0, at), mark, r.sentence.slice(at + r.surface.length));
      }
      frag.append(tr);
    }
    tbody.replaceChildren(frag);
    const shown = view.length ? `${start + 1}–${Math.min(start + PAGE, view.length)}` : "0";
    status.textContent = `rows ${shown} of ${view.length.toLocaleString("en-US")}` +
      (view.length < rows.length ? ` (filtered from ${rows.length.toLocaleString("en-US")})` : "");
  }

  function update() {
    const needle = q.value.trim().toLowerCase();
    if (needle && !haystacks) {
      haystacks = rows.map((r) => [r.surface, r.object, r.unit, r.sentence, r.article,
        r.dimension, r.approx, r.published, r.measure, r.period, r.place]
        .join("\u0001").toLowerCase());
    }
    view = rows.filter((r, i) => (!flag.value || r.approx === flag.value) &&
      (!dim.value || r.dimension === dim.value) && (!needle || haystacks[i].includes(needle)));
    if (sortKey) {
      view.sort((x, y) => {
        const a = x[sortKey];
        const b = y[sortKey];
        if (a === null || b === null) return (a === null) - (b === null);
        return sortDir * compare(a, b);
      });
    }
    page = 0;
    render();
  }

  let timer = 0;
  q.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 150); });
  flag.addEventListener("change", update);
  dim.addEventListener("change", update);
  document.getElementById("prev").addEventListener("click", () => { page = Math.max(0, page - 1); render(); });
  document.getElementById("next").addEventListener("click", () => { page += 1; render(); });
  for (const th of heads) {
    th.addEventListener("click", () => {
      sortDir = sortKey === th.dataset.key ? -sortDir : 1;
      sortKey = th.dataset.key;
      for (const h of heads) h.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      update();
    });
  }
  render();

  // The indicator chart: show the one chosen.
  const series = document.getElementById("series");
  if (series) {
    series.addEventListener("change", () => {
      for (const fig of document.querySelectorAll("figure.series")) {
        fig.hidden = fig.dataset.series !== series.value;
      }
    });
  }

  // A mention's tooltip opens to the left when it would overflow the window.
  const placeTip = (e) => {
    const m = e.target.closest?.("mark.m");
    if (m) m.classList.toggle("tip-left", m.getBoundingClientRect().left > innerWidth - 340);
  };
  document.addEventListener("mouseover", placeTip);
  document.addEventListener("focusin", placeTip);
})();
