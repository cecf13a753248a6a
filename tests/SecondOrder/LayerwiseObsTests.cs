using PruningLab.Data;
using PruningLab.Pruning;
using PruningLab.SecondOrder;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Tests.SecondOrder;

/// <summary>
/// Layer-wise OBS against brute force on a layer small enough to try everything: each row's removals are the greedy
/// choice of the least-squares error ‖Xw − Xŵ‖² (every candidate refitted), its survivors the least-squares refit;
/// and committing the result to the masks never revives a weight and keeps Restore meaningful.
/// </summary>
public class LayerwiseObsTests
{
    private static (Tensor X, Tensor W) Layer(int seed, int samples = 60, int inputs = 8, int rows = 3)
    {
        using var g = new Generator((ulong)seed);
        var x = randn(samples, inputs, dtype: float64, generator: g) + 0.5 * randn(samples, 1, dtype: float64, generator: g);
        return (x, randn(rows, inputs, dtype: float64, generator: g));
    }

    // The best ŵ with the given inputs kept: least squares of Xw on X's kept columns.
    private static Tensor Refit(Tensor x, Tensor w, IReadOnlyCollection<long> kept)
    {
        var result = zeros_like(w);
        if (kept.Count == 0) return result;
        var index = tensor(kept.ToArray());
        var columns = x.index_select(1, index);
        return result.index_copy_(0, index, linalg.solve(columns.T.matmul(columns), columns.T.matmul(x.matmul(w))));
    }

    private static double Error(Tensor x, Tensor w, Tensor approximation) => (x.matmul(w) - x.matmul(approximation)).pow(2).sum().item<double>();

    [Fact]
    public void Every_row_is_the_brute_force_greedy_choice_and_its_least_squares_refit()
    {
        using var scope = NewDisposeScope();
        var (x, w) = Layer(1);
        var (pruned, mask) = LayerwiseObs.PruneRows(w, LayerwiseObs.Hessian(x, damping: 0), 0.5, rowsPerChunk: 2);
        Assert.Equal(12, (int)mask.eq(0).sum().item<long>());   // 4 of 8 in each of 3 rows
        for (var r = 0; r < 3; r++)
        {
            var row = w[r];
            var kept = Enumerable.Range(0, 8).Select(i => (long)i).ToList();
            for (var step = 0; step < 4; step++)   // brute force: remove the weight whose refit hurts least
            {
                var best = kept.MinBy(q => Error(x, row, Refit(x, row, kept.Where(k => k != q).ToList())));
                kept.Remove(best);
            }
            var expectedMask = zeros(8).index_fill_(0, tensor(kept.ToArray()), 1);
            Assert.True(mask[r].eq(expectedMask).all().item<bool>(), $"row {r}: OBS removed other weights than brute force");
            Assert.True((pruned[r].to(float64) - Refit(x, row, kept)).abs().max().item<double>() < 1e-5, $"row {r}: survivors are not the refit");
        }
        // Against magnitude pruning of the same rows (no refit): a smaller reconstruction error.
        var magnitude = w * (w.abs() >= w.abs().kthvalue(5, 1).values.unsqueeze(1)).to(float64);
        var (obs, byMagnitude) = (Error(x, w.T, pruned.to(float64).T), Error(x, w.T, magnitude.T));
        Assert.True(obs < byMagnitude, $"OBS {obs:G4} vs magnitude {byMagnitude:G4}");
    }

    [Fact]
    public void The_column_sweep_refits_exactly_when_only_the_first_column_goes_and_beats_plain_zeroing()
    {
        using var scope = NewDisposeScope();
        var (x, w) = Layer(4, inputs: 8, rows: 8);
        var hessian = LayerwiseObs.Hessian(x, damping: 0);
        // Nothing to prune: nothing moves.
        var (same, all) = LayerwiseObs.PruneColumns(w, hessian, 0);
        Assert.True((same.to(float64) - w).abs().max().item<double>() < 1e-6 && all.min().item<float>() == 1);
        // Make column 0 the only candidate (tiny weights, a block of one column): it goes, and every later column is
        // free to compensate, so the sweep is the single OBS step, i.e. the exact refit without input 0.
        var small = w.clone();
        small[TensorIndex.Colon, 0] = small[TensorIndex.Colon, 0] * 1e-3;
        var (pruned, mask) = LayerwiseObs.PruneColumns(small, hessian, 1.0 / 8, blockSize: 8);
        Assert.Equal(8, (int)mask.eq(0).sum().item<long>());
        Assert.Equal(8, (int)mask.narrow(1, 0, 1).eq(0).sum().item<long>());
        var kept = Enumerable.Range(1, 7).Select(i => (long)i).ToList();
        for (var r = 0; r < 8; r++)
            Assert.True((pruned[r].to(float64) - Refit(x, small[r], kept)).abs().max().item<double>() < 1e-5, $"row {r}");
        // At half of the weights, in blocks: far less output error than zeroing the same weights without updates.
        var (half, halfMask) = LayerwiseObs.PruneColumns(w, hessian, 0.5, blockSize: 4);
        Assert.Equal(0.5, halfMask.eq(0).to(float64).mean().item<double>(), 9);
        var zeroed = w * halfMask.to(float64);
        Assert.True(Error(x, w.T, half.to(float64).T) < Error(x, w.T, zeroed.T));
    }

    [Fact]
    public void Committing_to_the_masks_holds_the_zeros_never_revives_and_Restore_brings_back_the_pruned_weights()
    {
        using var scope = NewDisposeScope();
        var (x, _) = Layer(2, inputs: 8, rows: 3);
        using var layer = nn.Linear(8, 3);
        using var model = nn.Sequential(("fc", layer));
        var before = layer.weight!.detach().clone();
        var biasBefore = layer.bias!.detach().clone();
        using var masks = ModelMasks.For(model);
        var batches = new[] { new Batch(x.to(float32), zeros(60, dtype: int64), Enumerable.Range(0, 60).Select(i => (long)i).ToArray()) };
        LayerwiseObs.Prune(masks, "fc", batches, 0.25);
        Assert.Equal(0.25, masks.Sparsity, 9);
        Assert.False(masks["fc"].eq(0).logical_and(layer.weight!.ne(0)).any().item<bool>());   // pruned weights are zero
        Assert.True(layer.bias!.eq(biasBefore).all().item<bool>());
        Assert.Contains("already pruned", Assert.Throws<ArgumentException>(() => LayerwiseObs.Prune(masks, "fc", batches, 0.25)).Message);
        // A solver may only remove more.
        Assert.Contains("bring back", Assert.Throws<ArgumentException>(() => masks.Commit("fc", ones(3, 8), layer.weight!.detach())).Message);
        Assert.Throws<ArgumentException>(() => masks.Commit("fc", ones(3, 7), ones(3, 7)));
        // Restore: pruned weights get their values from before pruning; survivors keep the solver's.
        var survivors = layer.weight!.detach().clone();
        var kept = masks["fc"].clone();
        masks.Restore();
        Assert.True((layer.weight! - (kept * survivors + (1 - kept) * before)).abs().max().item<float>() == 0);
    }

    [Fact]
    public void A_dead_input_needs_damping_and_gets_a_clear_error_without_it()
    {
        using var scope = NewDisposeScope();
        var (x, w) = Layer(3);
        x[TensorIndex.Colon, 2] = 0;   // an input that is always zero: H is singular
        Assert.Contains("add damping", Assert.Throws<ArgumentException>(() => LayerwiseObs.PruneRows(w, LayerwiseObs.Hessian(x, damping: 0), 0.5)).Message);
        var (pruned, _) = LayerwiseObs.PruneRows(w, LayerwiseObs.Hessian(x, damping: 0.01), 0.5);
        Assert.True(pruned.isfinite().all().item<bool>());
        Assert.Contains("must be 8×8", Assert.Throws<ArgumentException>(() => LayerwiseObs.PruneRows(w, eye(7, dtype: float64), 0.5)).Message);
        using var convolution = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)));
        Assert.Contains("not a linear layer", Assert.Throws<ArgumentException>(() => LayerwiseObs.CaptureInputs(convolution, "conv", [])).Message);
    }

    [Fact]
    public void The_refit_is_the_least_squares_fit_of_the_dense_outputs_from_the_new_inputs()
    {
        using var scope = NewDisposeScope();
        var (x, w) = Layer(4, samples: 80, inputs: 6, rows: 4);
        var moved = x + 0.3 * randn(x.shape, dtype: float64, generator: new Generator(5));
        var refit = LayerwiseObs.Refit(w, x, moved, LayerwiseObs.Hessian(moved, damping: 0));
        var leastSquares = linalg.lstsq(moved, x.matmul(w.T)).Solution.T;   // QR, not the normal equations
        Assert.True((refit - leastSquares).abs().max().item<double>() < 1e-9);
        Assert.True((LayerwiseObs.Refit(w, x, x, LayerwiseObs.Hessian(x, damping: 0)) - w).abs().max().item<double>() < 1e-9);
        Assert.Contains("both be [samples, 6]", Assert.Throws<ArgumentException>(() => LayerwiseObs.Refit(w, x, moved.narrow(0, 0, 10), LayerwiseObs.Hessian(moved, 0))).Message);
    }

    [Fact]
    public void Pruning_a_network_refits_each_layer_to_the_dense_outputs_from_the_pruned_inputs()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(6);
        var x = randn(300, 6, generator: g);
        var dense = nn.Sequential(("fc1", nn.Linear(6, 5)), ("act", nn.Tanh()), ("fc2", nn.Linear(5, 4)));
        using var pruned = nn.Sequential(("fc1", nn.Linear(6, 5)), ("act", nn.Tanh()), ("fc2", nn.Linear(5, 4)));
        pruned.load_state_dict(dense.state_dict());
        using var masks = ModelMasks.For(pruned);
        var batches = new[] { new Batch(x, zeros(300, dtype: int64), Enumerable.Range(0, 300).Select(i => (long)i).ToArray()) };
        LayerwiseObs.PruneModel(masks, dense, new Dictionary<string, double> { ["fc1"] = 0.5, ["fc2"] = 0 }, batches, damping: 0);
        Assert.Equal(15, masks["fc1"].eq(0).sum().item<long>());
        Assert.Equal(0, masks["fc2"].eq(0).sum().item<long>());
        // By hand: fc2's inputs in both networks, and the least-squares fit of the dense outputs from the pruned inputs.
        Tensor Hidden(nn.Module m) => tanh(nn.functional.linear(x, ((Linear)m.named_modules().First(n => n.name == "fc1").module).weight!,
            ((Linear)m.named_modules().First(n => n.name == "fc1").module).bias!)).detach().to(float64);
        var denseFc2 = (Linear)dense.named_modules().First(n => n.name == "fc2").module;
        var target = Hidden(dense).matmul(denseFc2.weight!.detach().to(float64).T);
        var expected = linalg.lstsq(Hidden(pruned), target).Solution.T;
        var fc2 = (Linear)pruned.named_modules().First(n => n.name == "fc2").module;
        Assert.True((fc2.weight!.detach().to(float64) - expected).abs().max().item<double>() < 1e-4);
        Assert.Contains("No prunable layer named 'fc9'", Assert.Throws<ArgumentException>(() =>
            LayerwiseObs.PruneModel(masks, dense, new Dictionary<string, double> { ["fc9"] = 0.5 }, batches)).Message);
        Assert.Contains("already pruned", Assert.Throws<ArgumentException>(() =>
            LayerwiseObs.PruneModel(masks, dense, new Dictionary<string, double> { ["fc1"] = 0.5 }, batches)).Message);
        dense.Dispose();
    }
}
