// Array.prototype.sort (and toSorted) with a comparison function, calling that function in
// exactly the order Node's V8 does (its TimSort: runs, binary insertion below the minimum run,
// merges with galloping). Newer V8 releases and QuickJS compare in other orders; with a
// comparison that is not consistent (the common `sort(() => Math.random() - 0.5)` shuffle) the
// result, and every random draw after it, would then differ from the original server's.
// Without a comparison function the engine's own sort stays: any stable sort gives its result.
'use strict';

const MIN_GALLOP = 7;

// Sorts `work` in place with `compare` (which returns a number, NaN read as 0).
const timSort = (work, comparefn) => {
  const compare = (x, y) => {
    const v = +comparefn(x, y);
    return v !== v ? 0 : v;
  };
  const length = work.length;
  if (length < 2) return;
  let minGallopState = MIN_GALLOP;
  const runBase = [];
  const runLength = [];

  const countAndMakeRun = (lowArg, high) => {
    const low = lowArg + 1;
    if (low === high) return 1;
    let run = 2;
    const elementLow = work[low];
    const elementLowPre = work[low - 1];
    let order = compare(elementLow, elementLowPre);
    const descending = order < 0;
    let previous = elementLow;
    for (let idx = low + 1; idx < high; ++idx) {
      const current = work[idx];
      order = compare(current, previous);
      if (descending) {
        if (order >= 0) break;
      } else if (order < 0) {
        break;
      }
      previous = current;
      ++run;
    }
    if (descending) {
      for (let lo = lowArg, hi = lowArg + run - 1; lo < hi; ++lo, --hi) {
        const t = work[lo];
        work[lo] = work[hi];
        work[hi] = t;
      }
    }
    return run;
  };

  const binaryInsertionSort = (low, startArg, high) => {
    for (let start = low === startArg ? startArg + 1 : startArg; start < high; ++start) {
      let left = low;
      let right = start;
      const pivot = work[start];
      while (left < right) {
        const mid = left + ((right - left) >> 1);
        if (compare(pivot, work[mid]) < 0) right = mid;
        else left = mid + 1;
      }
      for (let p = start; p > left; --p) work[p] = work[p - 1];
      work[left] = pivot;
    }
  };

  const gallopLeft = (array, key, base, len, hint) => {
    let lastOfs = 0;
    let offset = 1;
    let order = compare(array[base + hint], key);
    if (order < 0) {
      const maxOfs = len - hint;
      while (offset < maxOfs) {
        order = compare(array[base + hint + offset], key);
        if (order >= 0) break;
        lastOfs = offset;
        offset = (offset << 1) + 1;
        if (offset <= 0) offset = maxOfs;
      }
      if (offset > maxOfs) offset = maxOfs;
      lastOfs += hint;
      offset += hint;
    } else {
      const maxOfs = hint + 1;
      while (offset < maxOfs) {
        order = compare(array[base + hint - offset], key);
        if (order < 0) break;
        lastOfs = offset;
        offset = (offset << 1) + 1;
        if (offset <= 0) offset = maxOfs;
      }
      if (offset > maxOfs) offset = maxOfs;
      const tmp = lastOfs;
      lastOfs = hint - offset;
      offset = hint - tmp;
    }
    lastOfs++;
    while (lastOfs < offset) {
      const m = lastOfs + ((offset - lastOfs) >> 1);
      if (compare(array[base + m], key) < 0) lastOfs = m + 1;
      else offset = m;
    }
    return offset;
  };

  const gallopRight = (array, key, base, len, hint) => {
    let lastOfs = 0;
    let offset = 1;
    let order = compare(key, array[base + hint]);
    if (order < 0) {
      const maxOfs = hint + 1;
      while (offset < maxOfs) {
        order = compare(key, array[base + hint - offset]);
        if (order >= 0) break;
        lastOfs = offset;
        offset = (offset << 1) + 1;
        if (offset <= 0) offset = maxOfs;
      }
      if (offset > maxOfs) offset = maxOfs;
      const tmp = lastOfs;
      lastOfs = hint - offset;
      offset = hint - tmp;
    } else {
      const maxOfs = len - hint;
      while (offset < maxOfs) {
        order = compare(key, array[base + hint + offset]);
        if (order < 0) break;
        lastOfs = offset;
        offset = (offset << 1) + 1;
        if (offset <= 0) offset = maxOfs;
      }
      if (offset > maxOfs) offset = maxOfs;
      lastOfs += hint;
      offset += hint;
    }
    lastOfs++;
    while (lastOfs < offset) {
      const m = lastOfs + ((offset - lastOfs) >> 1);
      if (compare(key, array[base + m]) < 0) offset = m;
      else lastOfs = m + 1;
    }
    return offset;
  };

  const copy = (from, fromAt, to, toAt, n) => {
    if (from === to && fromAt < toAt) {
      for (let i = n - 1; i >= 0; i--) to[toAt + i] = from[fromAt + i];
    } else {
      for (let i = 0; i < n; i++) to[toAt + i] = from[fromAt + i];
    }
  };

  const mergeLow = (baseA, lengthAArg, baseB, lengthBArg) => {
    let lengthA = lengthAArg;
    let lengthB = lengthBArg;
    const temp = work.slice(baseA, baseA + lengthA);
    let dest = baseA;
    let cursorTemp = 0;
    let cursorB = baseB;
    work[dest++] = work[cursorB++];
    let outcome = 'succeed';
    merge: {
      if (--lengthB === 0) break merge;
      if (lengthA === 1) { outcome = 'copyB'; break merge; }
      let minGallop = minGallopState;
      for (;;) {
        let winsA = 0;
        let winsB = 0;
        for (;;) {
          if (compare(work[cursorB], temp[cursorTemp]) < 0) {
            work[dest++] = work[cursorB++];
            ++winsB; --lengthB; winsA = 0;
            if (lengthB === 0) break merge;
            if (winsB >= minGallop) break;
          } else {
            work[dest++] = temp[cursorTemp++];
            ++winsA; --lengthA; winsB = 0;
            if (lengthA === 1) { outcome = 'copyB'; break merge; }
            if (winsA >= minGallop) break;
          }
        }
        ++minGallop;
        let first = true;
        while (winsA >= MIN_GALLOP || winsB >= MIN_GALLOP || first) {
          first = false;
          minGallop = Math.max(1, minGallop - 1);
          minGallopState = minGallop;
          winsA = gallopRight(temp, work[cursorB], cursorTemp, lengthA, 0);
          if (winsA > 0) {
            copy(temp, cursorTemp, work, dest, winsA);
            dest += winsA; cursorTemp += winsA; lengthA -= winsA;
            if (lengthA === 1) { outcome = 'copyB'; break merge; }
            if (lengthA === 0) break merge;
          }
          work[dest++] = work[cursorB++];
          if (--lengthB === 0) break merge;
          winsB = gallopLeft(work, temp[cursorTemp], cursorB, lengthB, 0);
          if (winsB > 0) {
            copy(work, cursorB, work, dest, winsB);
            dest += winsB; cursorB += winsB; lengthB -= winsB;
            if (lengthB === 0) break merge;
          }
          work[dest++] = temp[cursorTemp++];
          if (--lengthA === 1) { outcome = 'copyB'; break merge; }
        }
        ++minGallop;
        minGallopState = minGallop;
      }
    }
    if (outcome === 'succeed') {
      if (lengthA > 0) copy(temp, cursorTemp, work, dest, lengthA);
    } else {
      // The last element of run A belongs at the end of the merge.
      copy(work, cursorB, work, dest, lengthB);
      work[dest + lengthB] = temp[cursorTemp];
    }
  };

  const mergeHigh = (baseA, lengthAArg, baseB, lengthBArg) => {
    let lengthA = lengthAArg;
    let lengthB = lengthBArg;
    const temp = work.slice(baseB, baseB + lengthB);
    let dest = baseB + lengthB - 1;
    let cursorTemp = lengthB - 1;
    let cursorA = baseA + lengthA - 1;
    work[dest--] = work[cursorA--];
    let outcome = 'succeed';
    merge: {
      if (--lengthA === 0) break merge;
      if (lengthB === 1) { outcome = 'copyA'; break merge; }
      let minGallop = minGallopState;
      for (;;) {
        let winsA = 0;
        let winsB = 0;
        for (;;) {
          if (compare(temp[cursorTemp], work[cursorA]) < 0) {
            work[dest--] = work[cursorA--];
            ++winsA; --lengthA; winsB = 0;
            if (lengthA === 0) break merge;
            if (winsA >= minGallop) break;
          } else {
            work[dest--] = temp[cursorTemp--];
            ++winsB; --lengthB; winsA = 0;
            if (lengthB === 1) { outcome = 'copyA'; break merge; }
            if (winsB >= minGallop) break;
          }
        }
        ++minGallop;
        let first = true;
        while (winsA >= MIN_GALLOP || winsB >= MIN_GALLOP || first) {
          first = false;
          minGallop = Math.max(1, minGallop - 1);
          minGallopState = minGallop;
          let k = gallopRight(work, temp[cursorTemp], baseA, lengthA, lengthA - 1);
          winsA = lengthA - k;
          if (winsA > 0) {
            dest -= winsA; cursorA -= winsA;
            copy(work, cursorA + 1, work, dest + 1, winsA);
            lengthA -= winsA;
            if (lengthA === 0) break merge;
          }
          work[dest--] = temp[cursorTemp--];
          if (--lengthB === 1) { outcome = 'copyA'; break merge; }
          k = gallopLeft(temp, work[cursorA], 0, lengthB, lengthB - 1);
          winsB = lengthB - k;
          if (winsB > 0) {
            dest -= winsB; cursorTemp -= winsB;
            copy(temp, cursorTemp + 1, work, dest + 1, winsB);
            lengthB -= winsB;
            if (lengthB === 1) { outcome = 'copyA'; break merge; }
            if (lengthB === 0) break merge;
          }
          work[dest--] = work[cursorA--];
          if (--lengthA === 0) break merge;
        }
        ++minGallop;
        minGallopState = minGallop;
      }
    }
    if (outcome === 'succeed') {
      if (lengthB > 0) copy(temp, 0, work, dest - (lengthB - 1), lengthB);
    } else {
      // The first element of run B belongs at the front of the merge.
      dest -= lengthA; cursorA -= lengthA;
      copy(work, cursorA + 1, work, dest + 1, lengthA);
      work[dest] = temp[cursorTemp];
    }
  };

  const mergeAt = (i) => {
    let baseA = runBase[i];
    let lengthA = runLength[i];
    const baseB = runBase[i + 1];
    let lengthB = runLength[i + 1];
    runLength[i] = lengthA + lengthB;
    if (i === runBase.length - 3) {
      runBase[i + 1] = runBase[i + 2];
      runLength[i + 1] = runLength[i + 2];
    }
    runBase.length -= 1;
    runLength.length -= 1;
    const k = gallopRight(work, work[baseB], baseA, lengthA, 0);
    baseA += k;
    lengthA -= k;
    if (lengthA === 0) return;
    lengthB = gallopLeft(work, work[baseA + lengthA - 1], baseB, lengthB, lengthB - 1);
    if (lengthB === 0) return;
    if (lengthA <= lengthB) mergeLow(baseA, lengthA, baseB, lengthB);
    else mergeHigh(baseA, lengthA, baseB, lengthB);
  };

  const invariantHolds = (n) => n < 2 || runLength[n - 2] > runLength[n - 1] + runLength[n];
  const mergeCollapse = () => {
    while (runBase.length > 1) {
      let n = runBase.length - 2;
      if (!invariantHolds(n + 1) || !invariantHolds(n)) {
        if (runLength[n - 1] < runLength[n + 1]) --n;
        mergeAt(n);
      } else if (runLength[n] <= runLength[n + 1]) {
        mergeAt(n);
      } else {
        break;
      }
    }
  };
  const mergeForceCollapse = () => {
    while (runBase.length > 1) {
      let n = runBase.length - 2;
      if (n > 0 && runLength[n - 1] < runLength[n + 1]) --n;
      mergeAt(n);
    }
  };

  let minRun = length;
  {
    let n = length;
    let r = 0;
    while (n >= 64) {
      r |= n & 1;
      n >>= 1;
    }
    minRun = n + r;
  }
  let low = 0;
  let remaining = length;
  while (remaining !== 0) {
    let current = countAndMakeRun(low, low + remaining);
    if (current < minRun) {
      const forced = Math.min(minRun, remaining);
      binaryInsertionSort(low, low + current, low + forced);
      current = forced;
    }
    runBase.push(low);
    runLength.push(current);
    mergeCollapse();
    low += current;
    remaining -= current;
  }
  mergeForceCollapse();
};

module.exports = (ArrayPrototype) => {
  const nativeSort = ArrayPrototype.sort;
  const nativeToSorted = ArrayPrototype.toSorted;
  const checkComparator = (comparefn) => {
    if (comparefn !== undefined && typeof comparefn !== 'function') {
      throw new TypeError('The comparison function must be either a function or undefined');
    }
  };
  // As V8 does: the present elements but undefined are sorted, undefineds follow them, holes last.
  const sortInPlace = (object, comparefn) => {
    const len = Math.min(Math.max(Math.trunc(Number(object.length)) || 0, 0), Number.MAX_SAFE_INTEGER);
    const work = [];
    let undefineds = 0;
    for (let i = 0; i < len; i++) {
      if (!(i in object)) continue;
      const v = object[i];
      if (v === undefined) undefineds++;
      else work.push(v);
    }
    timSort(work, comparefn);
    let i = 0;
    for (; i < work.length; i++) object[i] = work[i];
    for (let u = 0; u < undefineds; u++, i++) object[i] = undefined;
    for (; i < len; i++) delete object[i];
    return object;
  };
  const methods = {
    sort(comparefn) {
      checkComparator(comparefn);
      const object = Object(this);
      if (comparefn === undefined) return Reflect.apply(nativeSort, object, []);
      return sortInPlace(object, comparefn);
    },
    toSorted(comparefn) {
      checkComparator(comparefn);
      if (comparefn === undefined && nativeToSorted) return Reflect.apply(nativeToSorted, this, []);
      const object = Object(this);
      const len = Math.min(Math.max(Math.trunc(Number(object.length)) || 0, 0), 2 ** 32 - 1);
      const copy = new Array(len);
      for (let i = 0; i < len; i++) copy[i] = object[i];
      return sortInPlace(copy, comparefn);
    },
  };
  for (const name of ['sort', 'toSorted']) {
    Object.defineProperty(ArrayPrototype, name, { value: methods[name], writable: true, enumerable: false, configurable: true });
  }
};
