/**
 * The settings page in the browser: draws the fields of form.ts, and on every input shows the value
 * text, each violation and warning at its field, and the patch preview. All decisions are the
 * policy library's, running here unchanged.
 */
import { type EffectivePreview, effectivePreview } from './effective.js';
import { check, type Field, fieldsOf, type KubevirtOptions, preview, supportedOf, valueText } from './form.js';

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) if (value !== undefined) node.setAttribute(name, value);
  node.append(...children);
  return node;
};

const byId = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
};

/** The range and default line under a field's label. */
const facts = (f: Field): string => {
  const parts: string[] = [];
  if (f.kind === 'integer' && f.minimum !== undefined && f.maximum !== undefined)
    parts.push(`${f.minimum} to ${f.maximum}${f.unit === undefined ? '' : ` ${f.unit}`}`);
  if (f.kind === 'quantity') parts.push(`a quantity of ${f.unit ?? 'bytes'}, such as 64Mi; 0 means no limit`);
  if (f.uiMinimum !== undefined) parts.push(`the Harvester UI's minimum is ${f.uiMinimum}`);
  if (f.kind !== 'protected') parts.push(`KubeVirt's default: ${JSON.stringify(f.kubevirtDefault)}`);
  return parts.join(' · ');
};

const inputOf = (f: Field): HTMLInputElement | HTMLSelectElement => {
  const common = { id: `input-${f.key}`, name: f.key, 'aria-describedby': `help-${f.key} messages-${f.key}` };
  if (f.kind === 'boolean') {
    const select = el(
      'select',
      common,
      el('option', { value: '' }, 'not set'),
      el('option', { value: 'true' }, 'true'),
      el('option', { value: 'false' }, 'false'),
    );
    if (f.locked !== undefined) select.disabled = true;
    return select;
  }
  const input = el('input', {
    ...common,
    type: 'text',
    inputmode: f.kind === 'integer' ? 'numeric' : 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: f.kind === 'protected' ? 'leave empty' : `default ${String(f.kubevirtDefault)}`,
  });
  if (f.locked !== undefined) input.disabled = true;
  return input;
};

const rowOf = (f: Field): HTMLElement =>
  el(
    'div',
    { class: `field${f.locked === undefined ? '' : ' locked'}`, 'data-field': f.key },
    el('label', { for: `input-${f.key}` }, el('code', {}, f.key)),
    el('div', { class: 'control' }, inputOf(f), f.unit === undefined ? '' : el('span', { class: 'unit' }, f.unit)),
    el('p', { class: 'facts' }, facts(f)),
    el('p', { class: 'help', id: `help-${f.key}` }, f.locked ?? f.help),
    el('ul', { class: 'messages', id: `messages-${f.key}`, 'aria-live': 'polite' }),
  );

const list = (target: HTMLElement, items: readonly string[], cls: string): void => {
  target.append(...items.map((m) => el('li', { class: cls }, m)));
};

const loadKubevirtOptions = async (): Promise<KubevirtOptions | undefined> => {
  try {
    const response = await fetch('kubevirt-options.json');
    return response.ok ? ((await response.json()) as KubevirtOptions) : undefined;
  } catch {
    return undefined;
  }
};

/** The form's inputs that are not empty, by option. */
const formState = (fields: readonly Field[]): Record<string, string> => {
  const state: Record<string, string> = {};
  for (const f of fields) {
    const input = document.getElementById(`input-${f.key}`) as HTMLInputElement | HTMLSelectElement | null;
    if (input !== null && input.value !== '') state[f.key] = input.value;
  }
  return state;
};

/** Each field's violations and warnings beside it, the others above the form, and the verdict. */
const showMessages = (fields: readonly Field[], messages: ReturnType<typeof check>): void => {
  for (const f of fields) {
    const target = byId(`messages-${f.key}`);
    target.replaceChildren();
    const entry = messages.byField.get(f.key);
    list(target, entry?.violations ?? [], 'violation');
    list(target, entry?.warnings ?? [], 'warning');
    document.querySelector(`[data-field="${f.key}"]`)?.classList.toggle('invalid', (entry?.violations.length ?? 0) > 0);
  }
  const general = byId('general');
  general.replaceChildren();
  list(general, messages.general, 'violation');
  const status = byId('status');
  status.textContent = messages.valid
    ? 'Valid: the webhook would admit this value (when no migration is in progress).'
    : 'Invalid: the webhook would refuse this value.';
  status.className = messages.valid ? 'ok' : 'bad';
};

const start = async (): Promise<void> => {
  const kubevirt = await loadKubevirtOptions();
  const fields = fieldsOf(kubevirt);
  const supported = supportedOf(kubevirt);
  byId('source').textContent =
    kubevirt === undefined
      ? 'Help texts are the options table’s (no KubeVirt CRD was given to the server).'
      : `Help texts and the option list are from the ${kubevirt.source}.`;
  const form = byId<HTMLFormElement>('form');
  form.append(...fields.map(rowOf));
  const text = byId<HTMLTextAreaElement>('value-text');
  const cr = byId<HTMLTextAreaElement>('kubevirt-cr');
  const diff = byId('diff');

  const update = (): void => {
    const value = valueText(fields, formState(fields));
    text.value = value;
    showMessages(fields, check(fields, value, supported));
    const now = new Date().toISOString();
    renderPreview(diff, preview(value, cr.value, supported, now));
    const pasted = {
      vmi: byId<HTMLTextAreaElement>('vmi').value,
      namespace: byId<HTMLTextAreaElement>('namespace').value,
      policies: byId<HTMLTextAreaElement>('policies').value,
    };
    renderEffective(byId('effective'), effectivePreview({ ...pasted, kubevirt: cr.value, value }, supported, now));
  };
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  cr.addEventListener('input', update);
  for (const id of ['vmi', 'namespace', 'policies']) byId(id).addEventListener('input', update);
  byId('copy').addEventListener('click', () => void navigator.clipboard?.writeText(text.value));
  update();
};

const renderPreview = (target: HTMLElement, p: ReturnType<typeof preview>): void => {
  target.replaceChildren();
  switch (p.kind) {
    case 'none':
      target.append(el('p', { class: 'hint' }, 'Paste the KubeVirt CR to see the patch the controller would send.'));
      return;
    case 'unreadable':
      target.append(el('p', { class: 'violation' }, p.message));
      return;
    case 'invalid':
      target.append(
        el(
          'p',
          { class: 'violation' },
          'No patch: the value is invalid, so the controller would leave the CR as it is and report the violations.',
        ),
      );
      return;
    case 'unchanged':
      target.append(el('p', { class: 'ok' }, 'No change: the CR already holds this configuration.'));
      return;
    case 'patch': {
      const rows = p.patch
        .filter((op) => op.op !== 'test')
        .map((op) =>
          el(
            'li',
            { class: `op ${op.op}` },
            `${op.op} ${op.path}${'value' in op ? ` = ${JSON.stringify(op.value)}` : ''}`,
          ),
        );
      target.append(
        el('ul', { class: 'ops' }, ...rows),
        el(
          'div',
          { class: 'blocks' },
          el('div', {}, el('h3', {}, 'migrations now'), el('pre', { id: 'before' }, JSON.stringify(p.before, null, 2))),
          el('div', {}, el('h3', {}, 'after the patch'), el('pre', { id: 'after' }, JSON.stringify(p.after, null, 2))),
        ),
        el(
          'details',
          {},
          el('summary', {}, 'The JSON Patch (RFC 6902), as sent'),
          el('pre', { id: 'patch' }, JSON.stringify(p.patch, null, 2)),
        ),
      );
    }
  }
};

const renderEffective = (target: HTMLElement, p: EffectivePreview): void => {
  target.replaceChildren();
  if (p.kind === 'none')
    return void target.append(
      el('p', { class: 'hint' }, 'Paste a VMI to see the configuration it would migrate with.'),
    );
  if (p.kind === 'unreadable') return void target.append(el('p', { class: 'violation' }, p.message));
  const e = p.result;
  const won = e.choice.scores.find((s) => s.matches && s.name === e.policy);
  target.append(
    el(
      'p',
      { id: 'effective-policy' },
      e.policy === undefined
        ? 'No MigrationPolicy matches: the cluster configuration applies.'
        : `MigrationPolicy ${e.policy} wins with ${(won?.vmiLabels ?? 0) + (won?.namespaceLabels ?? 0)} matching labels (VMI ${won?.vmiLabels ?? 0}, Namespace ${won?.namespaceLabels ?? 0}).`,
    ),
    el(
      'table',
      { id: 'effective-options' },
      el('tr', {}, el('th', {}, 'option'), el('th', {}, 'value'), el('th', {}, 'from')),
      ...Object.entries(e.configuration).map(([key, v]) =>
        el(
          'tr',
          { 'data-option': key },
          el('td', {}, el('code', {}, key)),
          el('td', {}, JSON.stringify(v)),
          el('td', {}, e.sources[key as keyof typeof e.sources] ?? ''),
        ),
      ),
    ),
    el('p', { class: 'hint' }, `No policy can set: ${e.clusterOnly.join(', ')}.`),
  );
};

void start();
