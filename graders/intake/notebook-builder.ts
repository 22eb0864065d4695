// Test helper: notebooks written the way Jupyter writes them.

/** A notebook as Jupyter writes it: source as lists of lines, outputs, execution counts, metadata. */
export function jupyterNotebook(cells: { type?: 'code' | 'markdown'; source: string }[]): string {
  const lines = (s: string) => s.split(/(?<=\n)/);
  return JSON.stringify(
    {
      cells: cells.map((c, i) =>
        c.type === 'markdown'
          ? { cell_type: 'markdown', id: `m${i}`, metadata: {}, source: lines(c.source) }
          : { cell_type: 'code', execution_count: i + 1, id: `c${i}`, metadata: { tags: [] }, outputs: [{ name: 'stdout', output_type: 'stream', text: ['ok\n'] }], source: lines(c.source) },
      ),
      metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python', version: '3.11.2' } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );
}
