// "Set the token of a debugging agent…": keeps an agent's token in VS Code's
// secret storage, where attach sessions without `tokenFile` find it.
import * as vscode from 'vscode';
import { DEFAULT_CONNECT, connectProblem } from '../config/attachConfig';
import { SET_TOKEN_COMMAND, tokenKey, tokenProblem } from './attach';

/** `connect`: the URL to prefill (an attach configuration's, when the error message's button runs the command). */
export async function setAgentToken(secrets: vscode.SecretStorage, connect?: unknown): Promise<void> {
  const url = await vscode.window.showInputBox({
    title: 'wasmscope: debugging agent',
    prompt: "The agent's address: the `connect` of the attach configuration (`wasmscope serve --debug-addr`)",
    value: typeof connect === 'string' && connect.trim() !== '' ? connect.trim() : DEFAULT_CONNECT,
    ignoreFocusOut: true,
    validateInput: connectProblem,
  });
  if (url === undefined) {
    return;
  }
  const address = url.trim();
  const token = await vscode.window.showInputBox({
    title: `wasmscope: token of ${address}`,
    prompt: 'The token `wasmscope serve` printed (`token: …`) or the contents of its --token-file. Empty: forget the stored token.',
    password: true,
    ignoreFocusOut: true,
    validateInput: tokenProblem,
  });
  if (token === undefined) {
    return;
  }
  if (token.trim() === '') {
    await secrets.delete(tokenKey(address));
    vscode.window.showInformationMessage(`wasmscope: forgot the token of ${address}.`);
    return;
  }
  await secrets.store(tokenKey(address), token.trim());
  vscode.window.showInformationMessage(`wasmscope: stored the token of ${address}; attach configurations with this \`connect\` use it.`);
}

/** Shows why an attach cannot start, with a button that stores the missing token when that is the fix. */
export function showAttachError(message: string, connect: string | undefined): void {
  if (!connect) {
    vscode.window.showErrorMessage(message);
    return;
  }
  vscode.window.showErrorMessage(message, 'Set Token…').then((pick) => {
    if (pick) {
      vscode.commands.executeCommand(SET_TOKEN_COMMAND, connect);
    }
  });
}
