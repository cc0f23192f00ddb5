// Locally: a service key (client ID and secret, or the whole key pasted) exchanged at /oauth/token.
// On AWS: the OIDC authorization code flow with PKCE against the stack's issuer.
import { Button, Card, CardHeader, Form, FormItem, Input, Label, MessageStrip, TextArea, Title } from "@ui5/webcomponents-react";
import { FormEvent, useState } from "react";
import { resolveUrl } from "./api";
import { messageOf } from "./outcome";
import { AppConfig, parseServiceKey, signInWithClient, signInWithOidc } from "./session";

export function SignIn({ config, onSignedIn }: { config: AppConfig; onSignedIn: () => void }) {
  const [clientId, setClientId] = useState("");
  const [clientSecret, setClientSecret] = useState("");
  const [serviceKey, setServiceKey] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const signIn = async (event?: FormEvent) => {
    event?.preventDefault();
    setError("");
    setBusy(true);
    try {
      if (config.signIn.mode === "oidc") {
        await signInWithOidc(config.signIn);
        return;
      }
      const client = serviceKey.trim() ? parseServiceKey(serviceKey) : { clientId: clientId.trim(), clientSecret };
      if (!client.clientId || !client.clientSecret) throw new Error("Enter a client ID and secret, or paste a service key.");
      await signInWithClient(resolveUrl(config.signIn.tokenUrl), client.clientId, client.clientSecret);
      onSignedIn();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main style={{ display: "flex", justifyContent: "center", paddingTop: "8vh" }}>
      <Card style={{ width: "28rem" }} header={<CardHeader titleText="ML Operations" subtitleText="Sign in to your AI API" />}>
        <form onSubmit={signIn} style={{ padding: "1rem" }}>
          <Title level="H1" size="H4">Sign in</Title>
          {error && <MessageStrip design="Negative" hideCloseButton role="alert">{error}</MessageStrip>}
          {config.signIn.mode === "serviceKey" ? (
            <Form layout="S1 M1 L1 XL1" labelSpan="S12 M12 L12 XL12">
              <FormItem labelContent={<Label for="client-id">Client ID</Label>}>
                <Input id="client-id" accessibleName="Client ID" value={clientId} onInput={(e) => setClientId(e.target.value)} />
              </FormItem>
              <FormItem labelContent={<Label for="client-secret">Client secret</Label>}>
                <Input id="client-secret" accessibleName="Client secret" type="Password" value={clientSecret}
                  onInput={(e) => setClientSecret(e.target.value)} />
              </FormItem>
              <FormItem labelContent={<Label for="service-key">Service key</Label>}>
                <TextArea id="service-key" accessibleName="Service key" rows={4} value={serviceKey}
                  placeholder='or paste the whole key: {"clientid": ..., "clientsecret": ..., "url": ...}'
                  onInput={(e) => setServiceKey(e.target.value)} />
              </FormItem>
            </Form>
          ) : (
            <p>You will be sent to your identity provider and back.</p>
          )}
          <Button design="Emphasized" type="Submit" disabled={busy} onClick={() => signIn()} style={{ marginTop: "1rem" }}>
            Sign in
          </Button>
        </form>
      </Card>
    </main>
  );
}
