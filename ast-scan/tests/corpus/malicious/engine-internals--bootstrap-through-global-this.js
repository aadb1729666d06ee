globalThis.__bootstrap.core.print('forged record\n');
