import { renderTemplate, templatePlaceholders } from './template-placeholders';

describe('templates', () => {
  const template = 'Hand over {{input.ticket.id}} to {{ input.owner }}; notes: {{input.notes}}.';

  it('names its placeholders once each', () => {
    expect(templatePlaceholders(`${template} {{input.owner}}`)).toEqual([
      'ticket.id',
      'owner',
      'notes',
    ]);
  });

  it('fills dotted paths, writes objects as JSON and a missing value as nothing', () => {
    expect(renderTemplate(template, { ticket: { id: 'T-7' }, owner: { name: 'Ada' } })).toBe(
      'Hand over T-7 to {"name":"Ada"}; notes: .',
    );
  });
});
