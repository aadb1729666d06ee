export * from 'os';
