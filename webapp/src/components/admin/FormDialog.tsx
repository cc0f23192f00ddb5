// A create dialog: its fields, a submit button named after the dialog, and the outcome. The API's refusal is shown
// both in the page's outcome strip and inside the dialog (which stays open so the user can correct the input).
import { Button, Dialog, Form, FormItem, Input, Label, MessageStrip } from "@ui5/webcomponents-react";
import { ReactNode, useState } from "react";
import { messageOf, useOutcome } from "../../outcome";

export function FormDialog<T>({ open, title, submit, success, onClose, onDone, children, footerNote }: {
  open: boolean; title: string; submit: () => Promise<T>; success: string | ((result: T) => string);
  onClose: () => void; onDone: (result: T) => void; children: ReactNode; footerNote?: ReactNode;
}) {
  const { run } = useOutcome();
  const [refused, setRefused] = useState("");
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setRefused("");
    setBusy(true);
    const result = await run(async () => {
      try {
        return await submit();
      } catch (error) {
        setRefused(messageOf(error));
        throw error;
      }
    }, success);
    setBusy(false);
    if (result !== undefined) onDone(result);
  };
  const close = () => { setRefused(""); onClose(); };
  return (
    <Dialog open={open} headerText={title} onClose={close} style={{ width: "40rem" }}
      footer={<><Button design="Emphasized" accessibleName={title} disabled={busy} onClick={send}>{title.split(" ")[0]}</Button>
        <Button onClick={close}>Cancel</Button></>}>
      <Form layout="S1 M1 L1 XL1" labelSpan="S12 M12 L12 XL12">{children}</Form>
      {footerNote}
      {refused && <MessageStrip design="Negative" hideCloseButton role="alert">{refused}</MessageStrip>}
    </Dialog>
  );
}

/** A labelled text field: the label is its accessible name. */
export function Field({ id, label, value, onValue, required, type, placeholder }: {
  id: string; label: string; value: string; onValue: (value: string) => void; required?: boolean;
  type?: "Text" | "Password" | "URL"; placeholder?: string;
}) {
  return (
    <FormItem labelContent={<Label for={id} required={required}>{label}</Label>}>
      <Input id={id} accessibleName={label} type={type} value={value} placeholder={placeholder} required={required}
        onInput={(e) => onValue(e.target.value)} />
    </FormItem>
  );
}
