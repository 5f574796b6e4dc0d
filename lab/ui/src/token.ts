// The bearer token for writes, when the Lab runs with EVENTLINE_TOKEN. The field
// appears when the server says writes need a token, or when a write comes back 401.

import { api, getToken, setToken, whenUnauthorized } from './api.js';

export function setUpToken(label: HTMLElement): void {
  const input = label.querySelector('input');
  if (input === null) return;
  input.value = getToken();
  input.addEventListener('change', () => setToken(input.value.trim()));

  const show = (focus: boolean) => {
    label.hidden = false;
    if (focus && input.value === '') input.focus();
  };
  whenUnauthorized(() => show(true));
  if (getToken() !== '') show(false);
  api
    .health()
    .then((health) => {
      if (health.tokenRequired === true) show(false);
    })
    .catch(() => {});
}
