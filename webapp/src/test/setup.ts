import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// The machine is shared: give async queries room (the filters debounce 250 ms).
configure({ asyncUtilTimeout: 4000 });

afterEach(() => {
  cleanup();
});
