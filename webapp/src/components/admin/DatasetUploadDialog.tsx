// Upload one dataset file through the dataset API: PUT /v2/lm/dataset/files/<object store secret>/<path> with the
// file's raw bytes and content type. The API takes at most 10 path segments in all (the secret and 9 below it),
// refuses an existing file unless overwrite=true, and answers with the file's ai:// URL; then the folder can be
// registered as a dataset artifact.
import { CheckBox, FileUploader, FormItem, Label, Option, Select, Text } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { api, apiRaw, query } from "../../api";
import { Field, FormDialog } from "./FormDialog";

const SUFFIX = "-object-store-secret";
const MAX_SEGMENTS = 9; // below the secret (the route has 10 levels)

export function DatasetUploadDialog({ open, onClose, onUploaded }: { open: boolean; onClose: () => void; onUploaded: (url: string) => void }) {
  const [stores, setStores] = useState<string[]>([]);
  const [store, setStore] = useState("");
  const [path, setPath] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [overwrite, setOverwrite] = useState(false);
  useEffect(() => {
    if (!open) return;
    api<{ resources: { name: string }[] }>(`/v2/admin/objectStoreSecrets${query({ $top: 100 })}`)
      .then((answer) => {
        const names = answer.resources.map((s) => (s.name.endsWith(SUFFIX) ? s.name.slice(0, -SUFFIX.length) : s.name));
        setStores(names);
        setStore((now) => now || names[0] || "");
      })
      .catch(() => setStores([]));
  }, [open]);
  const [generation, setGeneration] = useState(0); // a new file chooser each time: the old one keeps its file
  const close = () => { setPath(""); setFile(null); setOverwrite(false); setGeneration((g) => g + 1); onClose(); };
  const target = path.trim().replace(/^\/+/, "") || file?.name || "";
  const upload = async () => {
    if (!store) throw new Error("Choose an object store secret (create one on the Secrets page).");
    if (!file) throw new Error("Choose a file to upload.");
    const segments = target.split("/").filter(Boolean);
    if (segments.length > MAX_SEGMENTS) throw new Error(`The path has ${segments.length} levels; at most ${MAX_SEGMENTS} are allowed below the object store.`);
    const answer = await apiRaw(`/v2/lm/dataset/files/${encodeURIComponent(store)}/${segments.map(encodeURIComponent).join("/")}${query({ overwrite: overwrite || undefined })}`,
      { method: "PUT", raw: file, contentType: file.type || "application/octet-stream" });
    return (await answer.json()) as { message: string; url: string };
  };
  return (
    <FormDialog open={open} title="Upload dataset file" onClose={close} submit={upload}
      success={(answer) => `${answer.message} ${answer.url}`} onDone={(answer) => { close(); onUploaded(answer.url); }}
      footerNote={<Text style={{ display: "block", marginTop: "0.5rem" }}>{store && target ? `Stored as ai://${store}/${target}` : ""}</Text>}>
      <FormItem labelContent={<Label for="upload-store" required>Object store secret</Label>}>
        <Select id="upload-store" accessibleName="Object store secret" onChange={(e) => setStore(e.detail.selectedOption.textContent ?? "")}>
          {stores.map((name) => <Option key={name} selected={name === store}>{name}</Option>)}
        </Select>
      </FormItem>
      <FormItem labelContent={<Label for="upload-file" required>File</Label>}>
        <FileUploader key={generation} id="upload-file" accessibleName="File" placeholder="Choose a file"
          onChange={(e) => {
            const chosen = e.detail.files?.[0] ?? null;
            setFile(chosen);
            if (chosen && !path) setPath(`data/${chosen.name}`);
          }} />
      </FormItem>
      <Field id="upload-path" label="Path in the object store" required value={path} onValue={setPath} placeholder="folder/file.csv" />
      <FormItem labelContent={<Label for="upload-overwrite">Overwrite</Label>}>
        <CheckBox id="upload-overwrite" accessibleName="Overwrite an existing file" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />
      </FormItem>
    </FormDialog>
  );
}
