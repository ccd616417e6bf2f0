import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { serveToken } from './bridge/serve-token';
import './styles.css';
import { App } from './views/App';

// Serve mode: take the access token out of the address bar before anything reads the location
// (App checks for `#demo`) and before the URL can linger in history.
if (!window.walscope) serveToken();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
