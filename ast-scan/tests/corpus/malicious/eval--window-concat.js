window['ev' + 'al']('1');
