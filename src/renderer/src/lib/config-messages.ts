// A settings problem in a person's words: the field's label and the value typed, never the internal key or zod's wording.
import type { z } from 'zod';
import { CONFIG_META, type ConfigKey } from '../../../shared/config-schema';

/** What is wrong with `value` of `key` (one zod issue), as a sentence a person reads beside the field. */
export function describeIssue(key: ConfigKey | '', issue: z.core.$ZodIssue, value: unknown): string {
  const label = key ? CONFIG_META[key].label.toLowerCase() : 'the settings';
  const typed = typeof value === 'number' || typeof value === 'string' ? ` (you typed ${value})` : '';
  const i = issue as z.core.$ZodIssue & { minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean; expected?: string; origin?: string };
  switch (issue.code) {
    case 'custom':
      return capitalise(issue.message);
    case 'too_small':
      return `${capitalise(label)} must be ${i.inclusive === false ? 'more than' : 'at least'} ${String(i.minimum)}${typed}`;
    case 'too_big':
      return `${capitalise(label)} must be ${i.inclusive === false ? 'less than' : 'at most'} ${String(i.maximum)}${typed}`;
    case 'invalid_type':
      if (i.expected === 'int' || /integer/i.test(issue.message)) return `${capitalise(label)} must be a whole number${typed}`;
      return `${capitalise(label)} needs a ${i.expected === 'number' ? 'number' : String(i.expected)}${typed}`;
    case 'invalid_value':
    case 'invalid_union':
      return `${capitalise(label)}${typed} is not one of the choices`;
    default:
      // Refinements of ranges and triples carry their own plain message.
      return `${capitalise(label)}: ${issue.message}`;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
