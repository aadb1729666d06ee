import x from 'left-pad';
