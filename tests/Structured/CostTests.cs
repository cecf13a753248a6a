using PruningLab.Models;
using PruningLab.Structured;
using static TorchSharp.torch;

namespace PruningLab.Tests.Structured;

/// <summary>Parameters, MACs and bytes by hand; latency and the sparse sweep as measurements (no timing is asserted).</summary>
public class CostTests
{
    [Fact]
    public void The_small_VGG_costs_what_its_layers_add_up_to_by_hand()
    {
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 0);
        var cost = ModelCost.Of(model);
        // 3×3 convolutions with padding 1 keep H×W: 28×28 for conv1–2, 14×14 for conv3–4, 7×7 for conv5.
        long[] macs = [1 * 16 * 9 * 784, 16 * 16 * 9 * 784, 16 * 32 * 9 * 196, 32 * 32 * 9 * 196, 32 * 64 * 9 * 49, 64 * 10];
        Assert.Equal(macs.Sum(), cost.Macs);
        long convWeights = 1 * 16 * 9 + 16 * 16 * 9 + 16 * 32 * 9 + 32 * 32 * 9 + 32 * 64 * 9;
        long batchNorm = 2 * (16 + 16 + 32 + 32 + 64);
        Assert.Equal(convWeights + batchNorm + 64 * 10 + 10, cost.Parameters);
        // Bytes: every parameter and buffer in fp32, plus num_batches_tracked (int64) of each BatchNorm.
        Assert.Equal(4 * (cost.Parameters + 2 * (16 + 16 + 32 + 32 + 64)) + 8 * 5, cost.Bytes);
    }

    [Fact]
    public void Latency_reports_every_model_and_batch_in_one_run_and_restores_the_threads()
    {
        using var a = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var b = ModelZoo.Create(ModelZoo.Mlp(30, 10), seed: 0);
        var threads = get_num_threads();
        var results = Latency.Measure([("a", a), ("b", b)], [1, 8], repeats: 3, warmUp: 1, threads: 1);
        Assert.Equal(["a/1", "b/1", "a/8", "b/8"], results.Select(r => $"{r.Model}/{r.Batch}"));
        Assert.All(results, r => Assert.True(r.Milliseconds.Count == 3 && r.MedianMs > 0 && r.Threads == 1));
        Assert.Equal(threads, get_num_threads());
        Assert.True(a.training);   // put back in the mode it had
    }

    [Fact]
    public void The_break_even_is_interpolated_between_the_sweep_points_against_one_dense_time()
    {
        // Dense 1 ms everywhere: speedups 0.5 at 80 % and 1.5 at 90 % (the faster sparse kernel counts), equal at 85 %.
        SparseTiming[] sweep = [new(0.8, 1, 2, 4), new(0.9, 1, 3, 1 / 1.5), new(0.5, 1, 9, 9)];
        Assert.Equal(0.85, SparseCompute.BreakEven(sweep)!.Value, 6);
        Assert.Null(SparseCompute.BreakEven([new SparseTiming(0.5, 1, 2, 2)]));
        // A lucky win at 50 % followed by a loss at 80 % does not count: still 85 %.
        Assert.Equal(0.85, SparseCompute.BreakEven([new SparseTiming(0.5, 1, 0.5, 9), .. sweep[..2]])!.Value, 6);
        // A dense measurement that stalled at 80 % (20 ms instead of 1) fakes no win there: the dense time is the median
        // of the sweep's dense medians, 1 ms, so the break-even stays at 85 %.
        Assert.Equal(0.85, SparseCompute.BreakEven([new SparseTiming(0.8, 20, 2, 4), .. sweep[1..]])!.Value, 6);
    }

    [Fact]
    public void The_CSR_kernel_multiplies_like_the_dense_one()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new float[,] { { 0, 2, 0 }, { 1, 0, 3 } });
        var x = tensor(new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        var csr = SparseCompute.Csr.Of(w);
        Assert.Equal([0, 1, 3], csr.RowStart);
        var output = new float[4];
        SparseCompute.CsrMultiply(csr, x.data<float>().ToArray(), 2, output);
        Assert.Equal(new float[] { 6, 8, 16, 20 }, output);   // [2·3, 2·4], [1 + 15, 2 + 18]
        var sweep = SparseCompute.Sweep(16, 32, 4, [0.5, 0.9], repeats: 2);
        Assert.Equal([0.5, 0.9], sweep.Select(p => p.Sparsity));
    }
}
