// The walk's harness: one `ok <step>` line per step that passed; on the first failure `FAIL <step>: <message>`
// with the HTTP status and body the SDK got, and exit code 1 (tests/conformance/test_js_sdk.py reads both).

export function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export async function step(name, fn) {
  try {
    const value = await fn();
    console.log(`ok ${name}`);
    return value;
  } catch (err) {
    const response = err.cause?.response;
    const detail = response ? ` [HTTP ${response.status}] ${JSON.stringify(response.data)}` : '';
    console.log(`FAIL ${name}: ${err.message}${detail}`);
    if (!response) console.log(err.stack);
    process.exit(1);
  }
}

/** Poll `read` until `done(value)`; fail with the last value after `seconds`. */
export async function until(what, read, done, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

// Errors the SDK raises carry the HTTP response; steps that expect a refusal check its status and body.
export async function refused(promise) {
  try {
    await promise;
  } catch (err) {
    return { status: err.cause?.response?.status, body: err.cause?.response?.data };
  }
  throw new Error('expected the call to be refused');
}
