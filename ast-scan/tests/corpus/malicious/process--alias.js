const p = process; p.exit();
