setTimeout('alert(1)', 10);
