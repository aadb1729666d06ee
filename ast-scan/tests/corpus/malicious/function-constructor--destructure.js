const { constructor } = () => 1; constructor('return 1');
