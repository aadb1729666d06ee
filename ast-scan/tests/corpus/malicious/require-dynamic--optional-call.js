require?.(['f', 's'].join(''));
