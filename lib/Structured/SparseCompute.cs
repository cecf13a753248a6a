using System.Diagnostics;
using static TorchSharp.torch;

namespace PruningLab.Structured;

/// <summary>One point of a sparse-versus-dense sweep: median milliseconds of W·X for a weight of this sparsity.</summary>
/// <param name="Sparsity">The share of zeros in W.</param>
/// <param name="DenseMs">TorchSharp's dense matmul (it multiplies the zeros too).</param>
/// <param name="TorchSparseMs">TorchSharp's sparse COO matmul.</param>
/// <param name="CsrMs">The course's plain C# CSR kernel (<see cref="SparseCompute.CsrMultiply"/>), one thread per half of the rows.</param>
public sealed record SparseTiming(double Sparsity, double DenseMs, double TorchSparseMs, double CsrMs)
{
    /// <summary>Dense time over the faster sparse time: above 1 the sparse kernel wins.</summary>
    public double Speedup => DenseMs / Math.Min(TorchSparseMs, CsrMs);
}

/// <summary>
/// When do zeros pay (lesson 03)? A dense kernel multiplies every weight, zero or not; a sparse kernel skips the
/// zeros but pays for indices and irregular memory access. This times both on this CPU over a sweep of sparsities and
/// finds the break-even point.
/// </summary>
public static class SparseCompute
{
    /// <summary>Times W [rows × inner] (random, the given share of zeros) times X [inner × columns].</summary>
    public static List<SparseTiming> Sweep(int rows, int inner, int columns, IReadOnlyList<double> sparsities, int repeats = 15, int threads = 2)
    {
        ArgumentNullException.ThrowIfNull(sparsities);
        var previous = get_num_threads();
        set_num_threads(threads);
        try
        {
            using var generator = new Generator(7);
            using var x = randn(inner, columns, generator: generator);
            var xs = x.data<float>().ToArray();
            var result = new List<SparseTiming>();
            foreach (var sparsity in sparsities)
            {
                using var scope = NewDisposeScope();
                var w = randn(rows, inner, generator: generator) * rand(rows, inner, generator: generator).ge(sparsity);
                var coo = w.to_sparse();
                var csr = Csr.Of(w);
                var output = new float[rows * columns];
                var dense = Time(() => { using var y = w.matmul(x); }, repeats);
                var torchSparse = Time(() => { using var y = coo.matmul(x); }, repeats);
                var plain = Time(() => CsrMultiply(csr, xs, columns, output), repeats);
                result.Add(new SparseTiming(sparsity, dense, torchSparse, plain));
            }
            return result;
        }
        finally
        {
            set_num_threads(previous);
        }
    }

    /// <summary>
    /// The sparsity from which the faster sparse kernel beats the dense one at every higher sparsity of the sweep,
    /// interpolated linearly between the last point where it loses and the next; null if it loses at the densest-sparse
    /// end too. A win at low sparsity followed by losses (timing noise) does not count. The dense kernel does the same
    /// work at every sparsity, so every point is compared with one dense time, the median of the sweep's dense medians:
    /// a dense measurement that stalled at one point (libtorch's threads wait when another process takes a core, and
    /// a median of 0.3 ms becomes 16 ms) cannot then fake a win there.
    /// </summary>
    public static double? BreakEven(IReadOnlyList<SparseTiming> sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var points = sweep.OrderBy(p => p.Sparsity).ToList();
        if (points.Count == 0) return null;
        var dense = Statistics.Median(points.Select(p => p.DenseMs));
        double Speedup(SparseTiming p) => dense / Math.Min(p.TorchSparseMs, p.CsrMs);
        if (Speedup(points[^1]) < 1) return null;
        var lastLoss = points.FindLastIndex(p => Speedup(p) < 1);
        if (lastLoss < 0) return points[0].Sparsity;
        var (a, b) = (points[lastLoss], points[lastLoss + 1]);
        var t = (1 - Speedup(a)) / (Speedup(b) - Speedup(a));
        return a.Sparsity + t * (b.Sparsity - a.Sparsity);
    }

    /// <summary>A weight in compressed sparse rows: per row, the positions and values of its non-zeros.</summary>
    public sealed record Csr(int Rows, int Columns, int[] RowStart, int[] Column, float[] Value)
    {
        /// <summary>The CSR form of a 2-D float32 tensor.</summary>
        public static Csr Of(Tensor weight)
        {
            var (rows, columns) = ((int)weight.shape[0], (int)weight.shape[1]);
            var values = weight.contiguous().data<float>().ToArray();
            var start = new int[rows + 1];
            var column = new List<int>();
            var value = new List<float>();
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                    if (values[r * columns + c] != 0) { column.Add(c); value.Add(values[r * columns + c]); }
                start[r + 1] = column.Count;
            }
            return new Csr(rows, columns, start, column.ToArray(), value.ToArray());
        }
    }

    /// <summary>
    /// output = W·X for W in CSR and X row-major [W.Columns × columns]: only the non-zeros are multiplied. Rows are
    /// split across two threads, like the dense kernel's two.
    /// </summary>
    public static void CsrMultiply(Csr w, float[] x, int columns, float[] output)
    {
        ArgumentNullException.ThrowIfNull(w);
        Parallel.For(0, 2, half =>
        {
            var (from, to) = half == 0 ? (0, w.Rows / 2) : (w.Rows / 2, w.Rows);
            for (var r = from; r < to; r++)
            {
                var row = output.AsSpan(r * columns, columns);
                row.Clear();
                for (var k = w.RowStart[r]; k < w.RowStart[r + 1]; k++)
                {
                    var v = w.Value[k];
                    var input = x.AsSpan(w.Column[k] * columns, columns);
                    for (var c = 0; c < columns; c++) row[c] += v * input[c];
                }
            }
        });
    }

    private static double Time(Action run, int repeats)
    {
        for (var i = 0; i < 3; i++) run();
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Statistics.Median(times);
    }
}
