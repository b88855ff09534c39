import { csvCell, csvLine } from './csv-cell';

describe('csvCell', () => {
  it.each(['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx'])('defuses a formula-looking cell %p', (cell) => {
    expect(csvCell(cell).replace(/^"/, '').startsWith("'")).toBe(true);
  });

  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('writes objects as JSON and null as empty', () => {
    expect(csvLine([null, { a: 1 }, 'plain'])).toBe(',"{""a"":1}",plain\r\n');
  });
});
