// The kiosk's public screen (issue 15): publicFacts narrows what a registration lets the facility
// see to what its display policy lets a screen in front of the queue show — never more.
import { DEFAULT_KIOSK_DISPLAY, publicFacts, type KioskDisplayPolicy } from '../../src/checkins/display.ts';

const adult = { name: '加賀　花子', age: 41, resident: true, ageOver: { '20': true } };
const child = { name: '加賀　そら', age: 7, resident: true };
const policy = (name: KioskDisplayPolicy['name'], age: KioskDisplayPolicy['age']): KioskDisplayPolicy => ({ name, age });

describe('the kiosk display policy', () => {
  test('by default: the given name, and an age for children only', () => {
    expect(DEFAULT_KIOSK_DISPLAY).toEqual({ name: 'given_name', age: 'children_only' });
    expect(publicFacts(adult, DEFAULT_KIOSK_DISPLAY)).toEqual({ name: '花子', resident: true, ageOver: { '20': true } });
    expect(publicFacts(child, DEFAULT_KIOSK_DISPLAY)).toEqual({ name: 'そら', age: 7, resident: true });
    // 18 is of age (民法4条): no age from the 18th birthday on.
    expect(publicFacts({ age: 17 }, DEFAULT_KIOSK_DISPLAY)).toEqual({ age: 17 });
    expect(publicFacts({ age: 18 }, DEFAULT_KIOSK_DISPLAY)).toEqual({});
  });

  test('a name with no family/given split is not shown under given_name', () => {
    for (const name of ['SMITH JOHN', '花子', '加賀　花子　二世', '　花子']) expect(publicFacts({ name }, DEFAULT_KIOSK_DISPLAY)).toEqual({});
    expect(publicFacts({ name: 'SMITH JOHN' }, policy('full_name', 'never'))).toEqual({ name: 'SMITH JOHN' });
  });

  test('the other choices', () => {
    expect(publicFacts(adult, policy('full_name', 'always'))).toEqual(adult);
    expect(publicFacts(child, policy('none', 'never'))).toEqual({ resident: true });
    expect(publicFacts(adult, policy('given_name', 'always'))).toMatchObject({ name: '花子', age: 41 });
  });

  test('never more than the registration consented to', () => {
    expect(publicFacts({ resident: false }, policy('full_name', 'always'))).toEqual({ resident: false });
    expect(publicFacts({}, DEFAULT_KIOSK_DISPLAY)).toEqual({});
  });
});
