const F = (function () {})['con' + 'structor']; F('return 1');
