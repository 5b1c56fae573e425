import { describe, expect, it } from 'vitest';
import { textTable } from '../../lib/report/text-table.js';

describe('a text table', () => {
  const name = { head: 'NAME', cells: ['alpha', 'a-rather-long-name'], minWidth: 6 };
  const state = { head: 'STATE', cells: ['ready', 'failed'] };
  const note = { head: 'NOTE', cells: ['x', 'yy'], optional: true };

  it('pads each column to its widest cell, two spaces apart, the last one not padded', () => {
    expect(textTable([name, state], 80)).toEqual(['NAME                STATE', 'alpha               ready', 'a-rather-long-name  failed']);
  });

  it('adds an optional column only where it fits', () => {
    expect(textTable([name, note, state], 80)[0]).toBe('NAME                NOTE  STATE');
    expect(textTable([name, note, state], 30)[0]).toBe('NAME                STATE');
  });

  it('cuts a column that may be cut, with an ellipsis, down to its minimum, to fit the width', () => {
    expect(textTable([name, state], 16)).toEqual(['NAME      STATE', 'alpha     ready', 'a-rathe…  failed']);
    for (const line of textTable([name, state], 16)) expect(line.length).toBeLessThanOrEqual(16);
    // Not below its minimum: the table is then as narrow as it gets.
    expect(textTable([name, state], 5)[2]).toBe('a-rat…  failed');
  });

  it('caps a column at its maximum width whatever the room', () => {
    expect(textTable([{ ...name, maxWidth: 8 }, state], 200)[2]).toBe('a-rathe…  failed');
  });
});
