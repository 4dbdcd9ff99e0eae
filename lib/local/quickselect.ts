/** Order statistics without a sort: the one quickselect of the kernel (0.e's noise quantiles, 0.f/0.g's quantiles). */

/**
 * Rearranges `a` so that a[k] is its k-th smallest value, everything before it ≤ a[k] and everything after ≥ a[k]
 * (Hoare partitioning about a median of three; NaN-free input), in O(n) on average. Float64 only: called with two
 * array types, V8's element access turns polymorphic and the selection takes twice as long (float32 values are held
 * exactly in a Float64Array).
 */
export function selectNth(a: Float64Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of a[lo], a[mid], a[hi] as pivot keeps sorted and reversed runs linear.
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // Now a[lo..j] ≤ pivot ≤ a[i..hi], and any index strictly between j and i holds the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
