// Drives a Nexus server with the official MCP TypeScript SDK, as Claude Desktop or an agent
// framework would: initialise, list and call every tool, get prompts, read resources.
// Run by tests/mcp_sdk_test.cc. Environment: MCP_TRANSPORT (http or stdio), NEXUS_URL,
// NEXUS_API_KEY, NEXUS_BINARY (stdio: the nexus to spawn as `nexus mcp`), SKILL_NAME (a
// skill the key can read). Prints one line per failed check and exits 1 if any failed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  PromptListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

const env = process.env;
const failures = [];
let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) failures.push(what);
}
const text = (result) => result.content.map((c) => c.text).join('');

const REFERENCE_TOOLS = [
  'nexus_read_file', 'nexus_write_file', 'nexus_delete_file', 'nexus_list_files',
  'nexus_file_info', 'nexus_mkdir', 'nexus_rmdir', 'nexus_rename_file', 'nexus_glob',
  'nexus_grep', 'nexus_semantic_search', 'nexus_store_memory', 'nexus_query_memory',
  'nexus_list_workflows', 'nexus_execute_workflow', 'nexus_python', 'nexus_bash',
  'nexus_sandbox_create', 'nexus_sandbox_list', 'nexus_sandbox_stop',
];

function transport() {
  if (env.MCP_TRANSPORT === 'stdio') {
    return new StdioClientTransport({
      command: env.NEXUS_BINARY,
      args: ['mcp'],
      env: { NEXUS_URL: env.NEXUS_URL, NEXUS_API_KEY: env.NEXUS_API_KEY, HOME: env.HOME ?? '/tmp' },
      stderr: 'inherit',
    });
  }
  return new StreamableHTTPClientTransport(new URL(env.NEXUS_URL + '/mcp'), {
    requestInit: { headers: { Authorization: `Bearer ${env.NEXUS_API_KEY}` } },
  });
}

async function call(client, name, args) {
  return client.callTool({ name, arguments: args });
}

async function tools(client) {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const name of REFERENCE_TOOLS) check(names.includes(name), `tools/list lacks ${name}`);
  for (const t of tools) {
    check(t.inputSchema?.type === 'object', `${t.name}: inputSchema is not an object schema`);
    check(typeof t.annotations?.readOnlyHint === 'boolean', `${t.name}: no readOnlyHint`);
  }
  const read = tools.find((t) => t.name === 'nexus_read_file');
  check(read?.annotations?.readOnlyHint === true, 'nexus_read_file is not read-only');
}

async function files(client) {
  const dir = '/workspace/mcp-sdk';
  check(text(await call(client, 'nexus_mkdir', { path: dir })) === `Successfully created directory ${dir}`,
    'nexus_mkdir text');
  const wrote = await call(client, 'nexus_write_file', { path: `${dir}/a.md`, content: 'alpha beta\n' });
  check(text(wrote) === `Successfully wrote 11 bytes to ${dir}/a.md`, `nexus_write_file: ${text(wrote)}`);
  check(text(await call(client, 'nexus_read_file', { path: `${dir}/a.md` })) === 'alpha beta\n',
    'nexus_read_file gives back what was written');
  const listed = await call(client, 'nexus_list_files', { path: dir });
  check(listed.structuredContent?.total === 1, `nexus_list_files total: ${text(listed)}`);
  check(listed.structuredContent?.items?.[0]?.path === `${dir}/a.md`, 'nexus_list_files item');
  const info = await call(client, 'nexus_file_info', { path: `${dir}/a.md` });
  check(info.structuredContent?.exists === true && info.structuredContent?.size === 11,
    `nexus_file_info: ${text(info)}`);
  const glob = await call(client, 'nexus_glob', { pattern: '*.md', path: dir });
  check(JSON.stringify(glob.structuredContent?.items) === JSON.stringify([`${dir}/a.md`]),
    `nexus_glob: ${text(glob)}`);
  const grep = await call(client, 'nexus_grep', { pattern: 'BETA', path: dir, ignore_case: true });
  check(grep.structuredContent?.items?.[0]?.line === 1, `nexus_grep: ${text(grep)}`);
  const renamed = await call(client, 'nexus_rename_file', { old_path: `${dir}/a.md`, new_path: `${dir}/b.md` });
  check(!renamed.isError, `nexus_rename_file: ${text(renamed)}`);
  check(!(await call(client, 'nexus_delete_file', { path: `${dir}/b.md` })).isError, 'nexus_delete_file');
  const gone = await call(client, 'nexus_read_file', { path: `${dir}/b.md` });
  check(gone.isError === true && text(gone).startsWith('Error:'), 'reading a deleted file is a tool error');
  check(!(await call(client, 'nexus_rmdir', { path: dir, recursive: true })).isError, 'nexus_rmdir');
  const search = await call(client, 'nexus_semantic_search', { query: 'alpha' });
  check(search.isError === true, 'nexus_semantic_search without an index is a tool error');
}

async function agentTools(client) {
  check(!(await call(client, 'nexus_store_memory', { content: 'the sky is blue' })).isError, 'store_memory');
  const memories = await call(client, 'nexus_query_memory', { query: 'sky' });
  check(memories.structuredContent?.memories?.some((m) => m.content === 'the sky is blue'),
    `nexus_query_memory: ${text(memories)}`);
  check((await call(client, 'nexus_list_workflows', {})).isError === true, 'list_workflows is a tool error');
  check((await call(client, 'nexus_execute_workflow', { name: 'x' })).isError === true, 'execute_workflow');
  const created = await call(client, 'nexus_sandbox_create', { name: `sdk-${env.MCP_TRANSPORT}` });
  const id = created.structuredContent?.sandbox_id;
  check(typeof id === 'string', `nexus_sandbox_create: ${text(created)}`);
  const listed = await call(client, 'nexus_sandbox_list', {});
  check(listed.structuredContent?.sandboxes?.some((s) => s.sandbox_id === id), 'nexus_sandbox_list');
  const py = await call(client, 'nexus_python', { code: 'print(6 * 7)', sandbox_id: id });
  check(py.structuredContent?.stdout === '42\n' && text(py).startsWith('Output:\n42'), `nexus_python: ${text(py)}`);
  const sh = await call(client, 'nexus_bash', { command: 'echo hi; exit 3', sandbox_id: id });
  check(sh.structuredContent?.exit_code === 3 && text(sh).includes('Exit code: 3'), `nexus_bash: ${text(sh)}`);
  check(!(await call(client, 'nexus_sandbox_stop', { sandbox_id: id })).isError, 'nexus_sandbox_stop');
}

async function promptsAndResources(client) {
  const { prompts } = await client.listPrompts();
  check(prompts.some((p) => p.name === env.SKILL_NAME), `prompts/list lacks ${env.SKILL_NAME}`);
  const prompt = await client.getPrompt({ name: env.SKILL_NAME });
  check(prompt.messages[0]?.content?.text?.includes(`name: ${env.SKILL_NAME}`), 'prompts/get gives SKILL.md');
  await call(client, 'nexus_write_file', { path: '/workspace/res.txt', content: 'resource text' });
  const uris = [];
  let cursor;
  do {
    const page = await client.listResources(cursor ? { cursor } : {});
    uris.push(...page.resources.map((r) => r.uri));
    cursor = page.nextCursor;
  } while (cursor);
  check(uris.some((u) => u.endsWith('/workspace/res.txt')), 'resources/list lacks the file');
  const read = await client.readResource({ uri: 'nexus:///workspace/res.txt' });
  check(read.contents[0]?.text === 'resource text', 'resources/read');
  const { resourceTemplates } = await client.listResourceTemplates();
  check(resourceTemplates.length === 1, 'resources/templates/list');
  let missing = null;
  try {
    await client.readResource({ uri: 'nexus:///workspace/none.txt' });
  } catch (e) {
    missing = e;
  }
  check(missing?.code === -32002, `resources/read of a missing file: ${missing}`);
}

// Resolves with the first notification of `schema`, or null after 15 s.
function nextNotification(client, schema) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 15000);
    client.setNotificationHandler(schema, (n) => {
      clearTimeout(timer);
      resolve(n);
    });
  });
}

// The server's stream (GET /mcp): a subscribed file's change, and a new skill.
async function notifications(client) {
  const uri = 'nexus:///workspace/watched.txt';
  await call(client, 'nexus_write_file', { path: '/workspace/watched.txt', content: 'one' });
  await client.subscribeResource({ uri });
  await new Promise((r) => setTimeout(r, 1500));  // the server's first look at it
  const updated = nextNotification(client, ResourceUpdatedNotificationSchema);
  await call(client, 'nexus_write_file', { path: '/workspace/watched.txt', content: 'two' });
  check((await updated)?.params?.uri === uri, 'notifications/resources/updated for a subscribed file');
  await client.unsubscribeResource({ uri });

  const changed = nextNotification(client, PromptListChangedNotificationSchema);
  const made = await fetch(`${env.NEXUS_URL}/api/nfs/skills_create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${env.NEXUS_API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      params: { name: `sdk-new-skill-${env.MCP_TRANSPORT}`, description: 'new', tier: 'user' },
    }),
  });
  check(made.ok, 'skills_create for the prompt change');
  check((await changed) !== null, 'notifications/prompts/list_changed after a new skill');
}

const client = new Client({ name: 'nexus-conformance', version: '1.0.0' });
try {
  await client.connect(transport());
  check(client.getServerVersion()?.name === 'nexus', 'serverInfo.name');
  await client.ping();
  await tools(client);
  await files(client);
  await agentTools(client);
  await promptsAndResources(client);
  await notifications(client);
} catch (e) {
  failures.push(`exception: ${e?.stack ?? e}`);
} finally {
  await client.close();
}
for (const f of failures) console.log(`FAILED: ${f}`);
console.log(`${checks} checks, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
