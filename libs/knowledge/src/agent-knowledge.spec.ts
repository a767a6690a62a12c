import { countTokens } from 'gpt-tokenizer';
import { knowledgePromptSection, RetrievedKnowledge } from './agent-knowledge';

const item = (entryId: string, words: number): RetrievedKnowledge => ({
  entryId,
  title: `Entry ${entryId}`,
  type: 'documentation',
  text: Array.from({ length: words }, (_, i) => `word${i}`).join(' '),
});

describe('knowledgePromptSection', () => {
  it('quotes entries in rank order, numbered, and lists their ids', () => {
    const section = knowledgePromptSection([item('a', 5), item('b', 5)], 1_000);
    expect(section.entryIds).toEqual(['a', 'b']);
    expect(section.text).toMatch(/\[1\] Entry a \(documentation\)\nword0[\s\S]*\[2\] Entry b/);
  });

  it('stays within maxTokens, skipping an entry too big for what is left', () => {
    const section = knowledgePromptSection([item('a', 20), item('big', 400), item('c', 20)], 120);
    expect(section.entryIds).toEqual(['a', 'c']);
    expect(countTokens(section.text)).toBeLessThanOrEqual(120);
    expect(section.tokens).toBeLessThanOrEqual(120);
  });

  it('is empty when nothing fits', () => {
    expect(knowledgePromptSection([item('big', 400)], 50)).toEqual({
      text: '',
      entryIds: [],
      tokens: 0,
    });
  });
});
