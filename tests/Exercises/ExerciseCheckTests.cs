using PruningLab.Data;
using PruningLab.Exercises;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Structured;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Exercises;

/// <summary>
/// Every exercise check passes an answer written here independently of the library (plain loops over arrays), fails
/// a stub with its hint, fails typical wrong answers naming the case, fails an answer that edits its input or calls
/// the library's own implementation, and never throws. The reference answers themselves are pinned to hand-computed
/// values in the pruning tests (and below where the check relies on them).
/// </summary>
public class ExerciseCheckTests
{
    private static void AssertStubFails(CheckResult result)
    {
        Assert.False(result.Passed);
        Assert.Contains("not implemented yet", result.Message);
        Assert.NotEmpty(result.Hint);
        Assert.StartsWith("✗", result.ToString());
    }

    private static void AssertFails(CheckResult result, string expected)
    {
        Assert.False(result.Passed, result.ToString());
        Assert.Contains(expected, result.Message);
    }

    private static double[] Values(Tensor t) => t.detach().cpu().to(float64).flatten().data<double>().ToArray();

    // --- 0.1: loops over a double array, stable order by |w|, k = round half to even.
    private static Tensor IndependentPrune(Tensor weights, double fraction)
    {
        var values = Values(weights);
        var k = (int)Math.Round(fraction * values.Length, MidpointRounding.ToEven);
        foreach (var i in Enumerable.Range(0, values.Length).OrderBy(i => Math.Abs(values[i])).Take(k)) values[i] = 0;
        return tensor(values).to(weights.dtype).reshape(weights.shape);
    }

    [Fact]
    public void Exercise_0_1()
    {
        Assert.True(Lesson00.CheckPruneByMagnitude(IndependentPrune).Passed);
        AssertStubFails(Lesson00.CheckPruneByMagnitude((_, _) => throw new NotImplementedException()));
        AssertFails(Lesson00.CheckPruneByMagnitude((w, f) => w.clone()), "case '2×4 tensor, half'");
        // Rounding down instead of to nearest: 3.5 of 7 must become 4.
        AssertFails(Lesson00.CheckPruneByMagnitude((w, f) => IndependentPrune(w, Math.Floor(f * w.numel()) / w.numel())), "3.5");
        // Pruning the later of two equal magnitudes first.
        AssertFails(Lesson00.CheckPruneByMagnitude((w, f) =>
        {
            var values = Values(w);
            var k = (int)Math.Round(f * values.Length, MidpointRounding.ToEven);
            foreach (var i in Enumerable.Range(0, values.Length).OrderBy(i => Math.Abs(values[i])).ThenByDescending(i => i).Take(k)) values[i] = 0;
            return tensor(values).to(w.dtype).reshape(w.shape);
        }), "ties");
        AssertFails(Lesson00.CheckPruneByMagnitude((w, f) => IndependentPrune(w, f).to(float32)), "dtype");
        AssertFails(Lesson00.CheckPruneByMagnitude((w, f) => IndependentPrune(w, f).flatten()), "shape");
        AssertFails(Lesson00.CheckPruneByMagnitude((w, f) => { var p = IndependentPrune(w, f); w.copy_(p); return w; }), "changed its input");
        AssertFails(Lesson00.CheckPruneByMagnitude(MagnitudePruning.PruneTensor), "the answer itself");
    }

    // --- 1.1: loops; a dead neuron's constant relu(b) goes through its outgoing weights into the next bias.
    private static (Tensor, Tensor, Tensor, Tensor) IndependentRemove(Tensor wIn, Tensor bIn, Tensor wOut, Tensor bOut)
    {
        var (n, inputs, outputs) = ((int)wIn.shape[0], (int)wIn.shape[1], (int)wOut.shape[0]);
        var w1 = Values(wIn); var b1 = Values(bIn); var w2 = Values(wOut); var b2 = Values(bOut);
        for (var j = 0; j < n; j++)
        {
            if (Enumerable.Range(0, inputs).Any(i => w1[j * inputs + i] != 0)) continue;
            var constant = Math.Max(0, b1[j]);
            for (var o = 0; o < outputs; o++) { b2[o] += w2[o * n + j] * constant; w2[o * n + j] = 0; }
            b1[j] = 0;
        }
        return (tensor(w1).to(wIn.dtype).reshape(wIn.shape), tensor(b1).to(bIn.dtype), tensor(w2).to(wOut.dtype).reshape(wOut.shape), tensor(b2).to(bOut.dtype));
    }

    [Fact]
    public void Exercise_1_1()
    {
        Assert.True(Lesson01.CheckRemoveDeadNeurons(IndependentRemove).Passed);
        AssertStubFails(Lesson01.CheckRemoveDeadNeurons((_, _, _, _) => throw new NotImplementedException()));
        // Dropping the neuron without folding its constant output into the next bias changes the network.
        AssertFails(Lesson01.CheckRemoveDeadNeurons((wIn, bIn, wOut, bOut) =>
        {
            var (a, b, c, _) = IndependentRemove(wIn, bIn, wOut, bOut);
            return (a, b, c, bOut.clone());
        }), "biasOut");
        AssertFails(Lesson01.CheckRemoveDeadNeurons((wIn, bIn, wOut, bOut) => (wIn.clone(), bIn.clone(), wOut.clone(), bOut.clone())), "neuron 1 dead");
        AssertFails(Lesson01.CheckRemoveDeadNeurons((wIn, bIn, wOut, bOut) =>
        {
            var (a, b, c, d) = IndependentRemove(wIn, bIn, wOut, bOut);
            bIn.zero_();   // edits an input
            return (a, b, c, d);
        }), "changed its input `biasIn`");
        AssertFails(Lesson01.CheckRemoveDeadNeurons((wIn, bIn, wOut, bOut) =>
        {
            var r = DeadNeurons.Remove(new NeuronLayer(wIn, bIn, wOut, bOut));
            return (r.WeightIn, r.BiasIn, r.WeightOut, r.BiasOut);
        }), "the answer itself");
    }

    // --- 1.2: one ranking of (|w|, layer, position) over all layers.
    private static IReadOnlyDictionary<string, Tensor> IndependentGlobal(IReadOnlyDictionary<string, Tensor> weights, double sparsity)
    {
        var all = weights.SelectMany((p, layer) => Values(p.Value).Select((v, i) => (Name: p.Key, Layer: layer, Index: i, Abs: Math.Abs(v)))).ToList();
        var k = (int)Math.Round(sparsity * all.Count, MidpointRounding.ToEven);
        var pruned = all.OrderBy(e => e.Abs).ThenBy(e => e.Layer).ThenBy(e => e.Index).Take(k).Select(e => (e.Name, e.Index)).ToHashSet();
        return weights.ToDictionary(p => p.Key, p =>
            tensor(Enumerable.Range(0, (int)p.Value.numel()).Select(i => pruned.Contains((p.Key, i)) ? 0f : 1f).ToArray()).reshape(p.Value.shape));
    }

    [Fact]
    public void Exercise_1_2()
    {
        Assert.True(Lesson01.CheckGlobalMasks(IndependentGlobal).Passed);
        AssertStubFails(Lesson01.CheckGlobalMasks((_, _) => throw new NotImplementedException()));
        // The same sparsity in every layer is not one global threshold.
        AssertFails(Lesson01.CheckGlobalMasks((w, s) => w.ToDictionary(p => p.Key, p => IndependentGlobal(new Dictionary<string, Tensor> { [p.Key] = p.Value }, s)[p.Key])), "layer");
        AssertFails(Lesson01.CheckGlobalMasks((w, s) => IndependentGlobal(w, s).ToDictionary(p => p.Key, p => p.Value.to(float64))), "dtype");
        AssertFails(Lesson01.CheckGlobalMasks((w, s) => IndependentGlobal(w, s).Take(1).ToDictionary()), "one mask per layer");
        AssertFails(Lesson01.CheckGlobalMasks(MagnitudePruning.GlobalMasks), "the answer itself");
    }

    // --- 1.3: walk the flattened weight; a gap g > 2^k needs (g − 1) / 2^k fillers.
    private static long IndependentBits(Tensor weight, int indexBits, int valueBits)
    {
        var values = Values(weight);
        long previous = -1, entries = 0, span = 1L << indexBits;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] == 0) continue;
            while (i - previous > span) { previous += span; entries++; }   // a filler zero
            previous = i;
            entries++;
        }
        return entries * (indexBits + valueBits);
    }

    [Fact]
    public void Exercise_1_3()
    {
        Assert.True(Lesson01.CheckRelativeIndexBits(IndependentBits).Passed);
        AssertStubFails(Lesson01.CheckRelativeIndexBits((_, _, _) => throw new NotImplementedException()));
        AssertFails(Lesson01.CheckRelativeIndexBits((w, k, b) => w.count_nonzero().item<long>() * (k + b)), "Deep Compression's example");
        // Off by one: a filler already at a gap of exactly 2^k.
        AssertFails(Lesson01.CheckRelativeIndexBits((w, k, b) =>
        {
            var values = Values(w);
            long previous = -1, entries = 0, span = 1L << k;
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] == 0) continue;
                while (i - previous >= span) { previous += span; entries++; }
                previous = i;
                entries++;
            }
            return entries * (k + b);
        }), "exactly 2^k");
        AssertFails(Lesson01.CheckRelativeIndexBits((w, k, b) => SparseStorage.RelativeIndex(w, k, b).Bits), "the answer itself");
    }

    [Fact]
    public void Exercise_1_4_measures_the_learners_choice_against_global_pruning_on_validation()
    {
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Sample);
        using var validation = FashionMnist.Load(Split.Validation, DatasetSize.Sample);
        using var test = FashionMnist.Load(Split.Test, DatasetSize.Sample);
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 2, Progress = ProgressDisplay.None });
        var light = Lesson01.CheckChosenSparsities(() => new Dictionary<string, double> { ["fc1"] = 0.1 }, model, validation, test, 0.8, 0.0);
        AssertFails(light, "sparsity 8.8 %");   // 0.1 of fc1's 235,200 weights is 8.8 % of 266,200
        // Global's own per-layer split gives global's masks: equal accuracy, so it cannot beat global by a margin.
        using (var copy = ModelZoo.Copy(model))
        using (var masks = ModelMasks.For(copy))
        {
            var split = masks.Prune(Scope.Global(0.85)).Report().Layers.ToDictionary(l => l.Name, l => l.Sparsity);
            var copied = Lesson01.CheckChosenSparsities(() => split, model, validation, test, 0.8, 0.001);
            Assert.False(copied.Passed, copied.ToString());
            Assert.Contains("needed: 0.1 points better", copied.Message);
            // With no margin asked, equal is enough: the comparison is at the same sparsity.
            Assert.True(Lesson01.CheckChosenSparsities(() => split, model, validation, test, 0.8, 0.0).Passed);
        }
        AssertStubFails(Lesson01.CheckChosenSparsities(() => throw new NotImplementedException(), model, validation, test, 0.8, 0.01));
        Assert.False(Lesson01.CheckChosenSparsities(() => new Dictionary<string, double> { ["nope"] = 0.5 }, model, validation, test, 0.8, 0.01).Passed);
    }

    [Fact]
    public void Exercise_2_1()
    {
        Assert.True(Lesson02.CheckMaskedStep((opt, w, m) => { opt.step(); using (no_grad()) w.masked_fill_(m.eq(0), 0); }).Passed);
        AssertStubFails(Lesson02.CheckMaskedStep((_, _, _) => throw new NotImplementedException()));
        // Masking the gradient instead of the weight lets momentum and weight decay move pruned weights.
        AssertFails(Lesson02.CheckMaskedStep((opt, w, m) => { using (no_grad()) w.grad!.mul_(m); opt.step(); }), "not zero");
        // Skipping the step leaves the survivors untrained.
        AssertFails(Lesson02.CheckMaskedStep((opt, w, m) => { using (no_grad()) w.mul_(m); }), "surviving weights differ");
        AssertFails(Lesson02.CheckMaskedStep((opt, w, m) => { opt.step(); using (no_grad()) { w.mul_(m); m.fill_(1); } }), "changed its input `mask`");
    }

    // --- 2.2: loops; dead entries keep 0, the k smallest survivors join them.
    private static Tensor IndependentSurvivors(Tensor weights, Tensor mask, double fraction)
    {
        var w = Values(weights);
        var m = Values(mask).Select(v => v > 0 ? 1f : 0f).ToArray();
        var alive = Enumerable.Range(0, w.Length).Where(i => m[i] > 0).ToList();
        var k = (int)Math.Round(fraction * alive.Count, MidpointRounding.ToEven);
        foreach (var i in alive.OrderBy(i => Math.Abs(w[i])).Take(k)) m[i] = 0;
        return tensor(m).reshape(weights.shape);
    }

    [Fact]
    public void Exercise_2_2()
    {
        Assert.True(Lesson02.CheckPruneSurvivors(IndependentSurvivors).Passed);
        AssertStubFails(Lesson02.CheckPruneSurvivors((_, _, _) => throw new NotImplementedException()));
        // Ignoring the old mask (pruning from scratch) revives weights or prunes too few.
        AssertFails(Lesson02.CheckPruneSurvivors((w, m, f) => IndependentSurvivors(w, ones_like(w), f)), "hand-written");
        AssertFails(Lesson02.CheckPruneSurvivors((w, m, f) => IndependentSurvivors(w, m, f).to(float64)), "dtype");
        AssertFails(Lesson02.CheckPruneSurvivors((w, m, f) => { var r = IndependentSurvivors(w, m, f); m.copy_(r); return m; }), "changed its input `mask`");
        AssertFails(Lesson02.CheckPruneSurvivors(MagnitudePruning.PruneSurvivors), "the answer itself");
    }

    [Fact]
    public void Exercise_2_3()
    {
        static double Cubic(long t, double si, double sf, long t0, int n, long dt) =>
            t <= t0 ? si : t >= t0 + n * dt ? sf : sf + (si - sf) * Math.Pow(1 - (t - t0) / (double)(n * dt), 3);
        Assert.True(Lesson02.CheckPolynomialSchedule(Cubic).Passed);
        AssertStubFails(Lesson02.CheckPolynomialSchedule((_, _, _, _, _, _) => throw new NotImplementedException()));
        // A linear ramp instead of the cube.
        AssertFails(Lesson02.CheckPolynomialSchedule((t, si, sf, t0, n, dt) =>
            t <= t0 ? si : t >= t0 + n * dt ? sf : si + (sf - si) * (t - t0) / (double)(n * dt)), "t=1");
        // Integer division of the progress: (t − t0) / (n·Δt) done in longs is 0 inside the window.
        AssertFails(Lesson02.CheckPolynomialSchedule((t, si, sf, t0, n, dt) =>
            t <= t0 ? si : t >= t0 + n * dt ? sf : sf + (si - sf) * Math.Pow(1 - (t - t0) / (n * dt), 3)), "t=1");
        AssertFails(Lesson02.CheckPolynomialSchedule((t, si, sf, t0, n, dt) => new PolynomialSchedule(si, sf, t0, n, dt).SparsityAt(t)), "the answer itself");
    }

    // Exercise 3.1, written with plain arrays: column norms, then the lowest round(amount × columns) zeroed.
    private static Tensor ColumnMaskByLoops(Tensor w, double amount, bool rowsInstead = false)
    {
        var dim = rowsInstead ? 0 : 1;
        var count = (int)w.shape[dim];
        var values = w.to(float64).contiguous().data<double>().ToArray();
        var inner = w.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        int Group(int i) => rowsInstead ? (int)(i / (values.Length / count)) : (int)(i / inner % count);
        var norms = new double[count];
        for (var i = 0; i < values.Length; i++) norms[Group(i)] += values[i] * values[i];
        var prune = (int)Math.Round(amount * count, MidpointRounding.ToEven);
        var gone = Enumerable.Range(0, count).OrderBy(c => norms[c]).Take(prune).ToHashSet();
        return tensor(values.Select((_, i) => gone.Contains(Group(i)) ? 0f : 1f).ToArray()).reshape(w.shape);
    }

    [Fact]
    public void Exercise_3_1()
    {
        Assert.True(Lesson03.CheckColumnMask((w, amount) => ColumnMaskByLoops(w, amount)).Passed);
        AssertStubFails(Lesson03.CheckColumnMask((_, _) => throw new NotImplementedException()));
        // Rows instead of columns; rounding down instead of to the nearest; a mask of the wrong dtype.
        AssertFails(Lesson03.CheckColumnMask((w, amount) => ColumnMaskByLoops(w, amount, rowsInstead: true)), "column");
        AssertFails(Lesson03.CheckColumnMask((w, amount) => ColumnMaskByLoops(w, Math.Floor(amount * w.shape[1]) / w.shape[1])), "rounded");
        AssertFails(Lesson03.CheckColumnMask((w, amount) => ColumnMaskByLoops(w, amount).to(float64)), "dtype");
        AssertFails(Lesson03.CheckColumnMask((w, amount) => NMSparsity.Mask(w, 1, 2)), "the answer itself");
    }

    // Exercise 3.2, written with plain arrays: in each group of 4, the two largest |w| (earlier first on ties).
    private static Tensor TwoOfFourByLoops(Tensor w, int keep = 2)
    {
        var values = w.to(float64).contiguous().data<double>().ToArray();
        var mask = new float[values.Length];
        for (var g = 0; g < values.Length; g += 4)
            foreach (var i in Enumerable.Range(g, 4).OrderByDescending(i => Math.Abs(values[i])).ThenBy(i => i).Take(keep)) mask[i] = 1;
        return tensor(mask).reshape(w.shape);
    }

    [Fact]
    public void Exercise_3_2()
    {
        Assert.True(Lesson03.CheckTwoOfFour(w => TwoOfFourByLoops(w)).Passed);
        // Ties broken the other way (the later input) are as correct.
        Assert.True(Lesson03.CheckTwoOfFour(w => TwoOfFourByLoops(w.flip(1)).flip(1)).Passed);
        AssertStubFails(Lesson03.CheckTwoOfFour(_ => throw new NotImplementedException()));
        AssertFails(Lesson03.CheckTwoOfFour(w => TwoOfFourByLoops(w, keep: 1)), "keeps 1");
        // Signed values instead of magnitudes: −5 would be pruned before 0.5.
        AssertFails(Lesson03.CheckTwoOfFour(w => TwoOfFourByLoops(w.neg().exp())), "smaller |w|");
        AssertFails(Lesson03.CheckTwoOfFour(w => NMSparsity.Mask(w, 2, 4)), "the answer itself");
    }

    [Fact]
    public void Exercise_3_3()
    {
        // Written as the definition reads, with the tensors' own reductions (not the library's).
        static Tensor Scores(Tensor producer, IReadOnlyList<Tensor> consumers, double p, int block, bool withConsumers = true)
        {
            var total = producer.to(float64).abs().pow(p).reshape(producer.shape[0], -1).sum(1);
            if (withConsumers)
                foreach (var c in consumers)
                    total += c.to(float64).abs().pow(p).transpose(0, 1).reshape(producer.shape[0], -1).sum(1);
            return total.pow(1 / p);
        }
        Assert.True(Lesson03.CheckChannelScores((w, c, p, block) => Scores(w, c, p, block)).Passed);
        AssertStubFails(Lesson03.CheckChannelScores((_, _, _, _) => throw new NotImplementedException()));
        AssertFails(Lesson03.CheckChannelScores((w, c, p, block) => Scores(w, c, p, block, withConsumers: false)), "expected");
        AssertFails(Lesson03.CheckChannelScores((w, c, p, block) => Scores(w, c, 2, block)), "expected");
        AssertFails(Lesson03.CheckChannelScores((w, c, p, block) => ChannelImportance.OfGroup(w, c, p, block)), "the answer itself");
    }

    [Fact]
    public void Exercise_4_1()
    {
        static Tensor Rows(Tensor t, long[] keep) => cat(keep.Select(k => t.narrow(0, k, 1)).ToList(), 0);
        Assert.True(Lesson04.CheckSliceOutputs((w, b, keep) => (Rows(w, keep), b is null ? null : Rows(b, keep))).Passed);
        AssertStubFails(Lesson04.CheckSliceOutputs((_, _, _) => throw new NotImplementedException()));
        // Sorting the kept channels loses the order asked for; forgetting the bias leaves it whole.
        AssertFails(Lesson04.CheckSliceOutputs((w, b, keep) => (Rows(w, keep.Order().ToArray()), b is null ? null : Rows(b, keep.Order().ToArray()))), "in that order");
        AssertFails(Lesson04.CheckSliceOutputs((w, b, keep) => (Rows(w, keep), b)), "bias");
        AssertFails(Lesson04.CheckSliceOutputs((w, b, keep) => ChannelSurgery.SliceOutputs(w, b, keep)), "the answer itself");
    }

    [Fact]
    public void Exercise_4_2()
    {
        Assert.True(Lesson04.CheckSliceInputs((w, keep, block) => cat(keep.Select(k => w.narrow(1, k * block, block)).ToList(), 1)).Passed);
        AssertStubFails(Lesson04.CheckSliceInputs((_, _, _) => throw new NotImplementedException()));
        // Ignoring the block: one input per channel even after a flatten.
        AssertFails(Lesson04.CheckSliceInputs((w, keep, _) => cat(keep.Select(k => w.narrow(1, k, 1)).ToList(), 1)), "shape");
        AssertFails(Lesson04.CheckSliceInputs((w, keep, block) => ChannelSurgery.SliceInputs(w, keep, block)), "the answer itself");
    }

    [Fact]
    public void Exercise_4_3()
    {
        static Tensor Take(Tensor t, long[] keep) => cat(keep.Select(k => t.narrow(0, k, 1)).ToList(), 0);
        Assert.True(Lesson04.CheckSliceBatchNorm((s, keep) => new BatchNormState(Take(s.Weight, keep), Take(s.Bias, keep), Take(s.RunningMean, keep), Take(s.RunningVar, keep))).Passed);
        AssertStubFails(Lesson04.CheckSliceBatchNorm((_, _) => throw new NotImplementedException()));
        // The running statistics forgotten: γ and β sliced, μ and σ² left whole.
        AssertFails(Lesson04.CheckSliceBatchNorm((s, keep) => new BatchNormState(Take(s.Weight, keep), Take(s.Bias, keep), s.RunningMean, s.RunningVar)), "μ");
        AssertFails(Lesson04.CheckSliceBatchNorm((s, keep) => ChannelSurgery.SliceBatchNorm(s, keep)), "the answer itself");
    }

    [Fact]
    public void A_check_whose_own_set_up_fails_reports_it_and_does_not_throw()
    {
        var result = ExerciseCheck.Run("9.9", "broken", "idea", () => throw new InvalidOperationException("the dataset is gone"));
        Assert.False(result.Passed);
        Assert.Contains("the check could not run: the dataset is gone", result.Message);
    }

    // --- 7.1 and 7.2: loops over plain arrays (the matrix is symmetric, so a column is read as a row).
    private static Tensor SaliencyByLoops(Tensor w, Tensor inverse, double factor = 2)
    {
        var (ws, h, n) = (Values(w), Values(inverse), (int)w.shape[0]);
        return tensor(Enumerable.Range(0, n).Select(q => ws[q] * ws[q] / (factor * h[q * n + q])).ToArray());
    }

    private static Tensor UpdateByLoops(Tensor w, Tensor inverse, long q, double sign = 1, bool zero = true)
    {
        var (ws, h, n) = (Values(w), Values(inverse), (int)w.shape[0]);
        var result = Enumerable.Range(0, n).Select(i => ws[i] - sign * ws[q] / h[q * n + q] * h[q * n + i]).ToArray();
        if (zero) result[q] = 0;
        return tensor(result);
    }

    private static Tensor DowndateByLoops(Tensor inverse, long q, bool divide = true)
    {
        var (h, n) = (Values(inverse), (int)inverse.shape[0]);
        var result = new double[n * n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                result[i * n + j] = h[i * n + j] - h[i * n + q] * h[q * n + j] / (divide ? h[q * n + q] : 1);
        return tensor(result).reshape(n, n);
    }

    private static (long Q, double Saliency, Tensor Updated) StepByLoops(Tensor w, Tensor inverse, double factor = 2, double sign = 1, bool zero = true)
    {
        var saliencies = Values(SaliencyByLoops(w, inverse, factor));
        var q = Array.IndexOf(saliencies, saliencies.Min());
        return (q, saliencies[q], UpdateByLoops(w, inverse, q, sign, zero));
    }

    [Fact]
    public void Check_7_1_judges_one_OBS_step_against_loops()
    {
        using var scope = NewDisposeScope();
        Assert.True(Lesson07.CheckObsStep((w, h) => StepByLoops(w, h)).Passed);
        AssertStubFails(Lesson07.CheckObsStep((_, _) => throw new NotImplementedException()));
        AssertFails(Lesson07.CheckObsStep((w, h) => StepByLoops(w, h, factor: 1)), "you returned");                      // forgot the ½
        AssertFails(Lesson07.CheckObsStep((w, h) => StepByLoops(w, linalg.inv(h))), "saliency");                        // H instead of H⁻¹
        AssertFails(Lesson07.CheckObsStep((w, h) =>
        {
            var q = Values(w.abs()).Select((v, i) => (v, i)).MinBy(p => p.v).i;                                        // the smallest |w|
            return (q, Values(SaliencyByLoops(w, h))[q], UpdateByLoops(w, h, q));
        }), "you removed weight");
        AssertFails(Lesson07.CheckObsStep((w, h) => StepByLoops(w, h, sign: -1)), "becomes");
        AssertFails(Lesson07.CheckObsStep((w, h) =>
        {
            var (q, s, _) = StepByLoops(w, h);
            return (q, s, w.clone().index_fill_(0, tensor(new[] { q }), 0.0));                                           // no compensation
        }), "becomes");
        AssertFails(Lesson07.CheckObsStep((w, h) => { var r = StepByLoops(w, h); r.Updated[r.Q] = 1e-3; return r; }), "set it to exactly 0");
        AssertFails(Lesson07.CheckObsStep((w, h) => { var r = StepByLoops(w, h); return (r.Q, r.Saliency, r.Updated.to(float32)); }), "dtype");
        AssertFails(Lesson07.CheckObsStep((w, h) => { var r = StepByLoops(w, h); w.zero_(); return r; }), "changed its input");
        AssertFails(Lesson07.CheckObsStep((w, h) =>
        {
            var s = PruningLab.SecondOrder.OptimalBrainSurgeon.Saliency(w, h);
            var q = s.argmin().item<long>();
            return (q, s[q].item<double>(), PruningLab.SecondOrder.OptimalBrainSurgeon.Update(w, h, q));
        }), "the answer itself");
    }

    [Fact]
    public void Check_7_2_judges_the_downdate_against_loops_and_the_inverse_of_the_smaller_Hessian()
    {
        using var scope = NewDisposeScope();
        Assert.True(Lesson07.CheckDowndate((h, q) => DowndateByLoops(h, q)).Passed);
        AssertStubFails(Lesson07.CheckDowndate((_, _) => throw new NotImplementedException()));
        AssertFails(Lesson07.CheckDowndate((h, q) => DowndateByLoops(h, q, divide: false)), "entry (");
        AssertFails(Lesson07.CheckDowndate((h, q) => h.clone()), "entry (");
        AssertFails(Lesson07.CheckDowndate((h, q) => DowndateByLoops(h, q).to(float32)), "dtype");
        AssertFails(Lesson07.CheckDowndate(PruningLab.SecondOrder.OptimalBrainSurgeon.Downdate), "the answer itself");
    }

    [Fact]
    public void Check_8_1_judges_codes_and_values_of_linear_quantization()
    {
        using var scope = NewDisposeScope();
        Assert.True(Lesson08.CheckQuantizeLinear((w, b) => LinearByTensors(w, b)).Passed);
        AssertStubFails(Lesson08.CheckQuantizeLinear((_, _) => throw new NotImplementedException()));
        AssertFails(Lesson08.CheckQuantizeLinear((w, b) => LinearByTensors(w, b, levels: (1 << b) - 1)), "should get code");   // unsigned range
        AssertFails(Lesson08.CheckQuantizeLinear((w, b) => LinearByTensors(w, b, round: false)), "should get code");           // truncated
        AssertFails(Lesson08.CheckQuantizeLinear((w, b) => { var r = LinearByTensors(w, b); return (r.Codes, r.Codes.to(float32)); }), "its value is");
        AssertFails(Lesson08.CheckQuantizeLinear((w, b) => { var r = LinearByTensors(w, b); return (r.Codes.to(float32), r.Values); }), "dtype");
        AssertFails(Lesson08.CheckQuantizeLinear((w, b) =>
        {
            using var q = PruningLab.Quantization.LinearQuantization.Quantize(w, b);
            return (q.Codes.clone(), q.Values.clone());
        }), "the answer itself");
    }

    [Fact]
    public void Check_8_2_judges_assignment_update_and_empty_clusters()
    {
        using var scope = NewDisposeScope();
        Assert.True(Lesson08.CheckKMeansStep((w, c) => KMeansByTensors(w, c)).Passed);
        AssertStubFails(Lesson08.CheckKMeansStep((_, _) => throw new NotImplementedException()));
        AssertFails(Lesson08.CheckKMeansStep((w, c) => KMeansByTensors(w, c, clusterZeros: true)), "is 0, so its code is 0");
        AssertFails(Lesson08.CheckKMeansStep((w, c) => { var r = KMeansByTensors(w, c); return (r.Codes - w.ne(0).to(int64), r.Centroids); }), "you gave code");
        AssertFails(Lesson08.CheckKMeansStep((w, c) => KMeansByTensors(w, c, keepEmpty: false)), "no weight chose it");
        AssertFails(Lesson08.CheckKMeansStep((w, c) => { var r = KMeansByTensors(w, c); return (r.Codes, c.clone()); }), "should move to");
        AssertFails(Lesson08.CheckKMeansStep((w, c) =>
        {
            using var q = PruningLab.Quantization.WeightSharing.Cluster(w, (int)c.shape[0], maxIterations: 1);
            return (q.Codes.clone(), c.clone());
        }), "the answer itself");
    }

    [Fact]
    public void Check_8_3_judges_the_Huffman_size_by_merged_weights()
    {
        Assert.True(Lesson08.CheckHuffmanBits(HuffmanByQueue).Passed);
        AssertStubFails(Lesson08.CheckHuffmanBits(_ => throw new NotImplementedException()));
        AssertFails(Lesson08.CheckHuffmanBits(counts =>
        {
            var used = counts.Count(c => c > 0);
            return counts.Sum() * (long)Math.Ceiling(Math.Log2(Math.Max(used, 2)));                                         // fixed-width codes
        }), "takes");
        AssertFails(Lesson08.CheckHuffmanBits(counts => counts.Count(c => c > 0) == 1 ? 0 : HuffmanByQueue(counts)), "one symbol only");
        AssertFails(Lesson08.CheckHuffmanBits(counts => { Array.Sort(counts); return HuffmanByQueue(counts); }), "changed the counts");
        AssertFails(Lesson08.CheckHuffmanBits(PruningLab.Compression.Huffman.StreamBits), "the answer itself");
    }

    // --- 8.1–8.3: the notebook's way, with tensor operations and a queue of subtrees.
    private static (Tensor Codes, Tensor Values) LinearByTensors(Tensor w, int bits, int? levels = null, bool round = true)
    {
        var qmax = levels ?? (1 << (bits - 1)) - 1;
        var scale = w.abs().max() / qmax;
        var scaled = w / scale;
        var q = (round ? scaled.round() : scaled.trunc()).clamp(-qmax, qmax);
        return (q.to(int64), q * scale);
    }

    private static (Tensor Codes, Tensor Centroids) KMeansByTensors(Tensor w, Tensor c, bool clusterZeros = false, bool keepEmpty = true)
    {
        var flat = w.flatten();
        var nearest = (flat.unsqueeze(1) - c.unsqueeze(0)).abs().argmin(1);
        var keep = clusterZeros ? ones_like(flat, dtype: ScalarType.Bool) : flat.ne(0);
        var codes = where(keep, nearest + 1, zeros_like(nearest));
        var k = c.shape[0];
        var sums = zeros(k + 1).index_add_(0, codes, flat, 1);
        var counts = bincount(codes, minlength: k + 1).to(float32);
        var means = (sums / counts).narrow(0, 1, k);
        var hasWeights = counts.narrow(0, 1, k).gt(0);
        return (codes.reshape(w.shape), keepEmpty ? where(hasWeights, means, c) : means);
    }

    private static long HuffmanByQueue(long[] counts)
    {
        var used = counts.Where(c => c > 0).ToList();
        if (used.Count == 1) return used[0];
        var queue = new PriorityQueue<long, long>(used.Select(c => (c, c)));
        long bits = 0;
        while (queue.Count > 1)
        {
            var merged = queue.Dequeue() + queue.Dequeue();
            bits += merged;
            queue.Enqueue(merged, merged);
        }
        return bits;
    }

    // --- 6.1 and 6.2: loops over plain arrays.
    private static (Tensor Saliency, Tensor Mask) ObdByLoops(Tensor w, Tensor h, double amount, Func<double, double, double>? score = null)
    {
        var (ws, hs) = (Values(w), Values(h));
        var saliency = ws.Select((v, i) => 0.5 * hs[i] * v * v).ToArray();
        var rank = score is null ? saliency : ws.Select((v, i) => score(v, hs[i])).ToArray();
        var prune = (int)Math.Round(amount * ws.Length, MidpointRounding.ToEven);
        var mask = Enumerable.Repeat(1f, ws.Length).ToArray();
        foreach (var i in Enumerable.Range(0, ws.Length).OrderBy(i => rank[i]).Take(prune)) mask[i] = 0;
        return (tensor(saliency).reshape(w.shape), tensor(mask).reshape(w.shape));
    }

    private static Tensor HutchinsonByLoops(Func<Tensor, Tensor> product, long n, int samples, Generator generator, bool gaussian = false, bool reuse = false)
    {
        var sum = new double[n];
        Tensor? first = null;
        for (var s = 0; s < samples; s++)
        {
            var v = reuse && first is not null ? first
                : gaussian ? randn(n, dtype: float64, generator: generator)
                : rand(n, dtype: float64, generator: generator).lt(0.5).to(float64) * 2 - 1;
            first ??= v;
            var (vs, hv) = (Values(v), Values(product(v)));
            for (var i = 0; i < n; i++) sum[i] += vs[i] * hv[i];
        }
        return tensor(sum.Select(x => x / samples).ToArray());
    }

    [Fact]
    public void Check_6_1_judges_the_OBD_saliencies_and_their_mask_against_loops()
    {
        using var scope = NewDisposeScope();
        Assert.True(Lesson06.CheckObd((w, h, a) => ObdByLoops(w, h, a)).Passed);
        AssertStubFails(Lesson06.CheckObd((_, _, _) => throw new NotImplementedException()));
        AssertFails(Lesson06.CheckObd((w, h, a) => { var r = ObdByLoops(w, h, a); return (r.Saliency * 2, r.Mask); }), "saliency");          // forgot the ½
        AssertFails(Lesson06.CheckObd((w, h, a) => { var r = ObdByLoops(w, h, a, (v, _) => Math.Abs(v)); return r; }), "rank by ½·h·w²");   // by |w|
        AssertFails(Lesson06.CheckObd((w, h, a) => ObdByLoops(w, h, a, (v, hh) => hh * Math.Abs(v))), "rank by ½·h·w²");                  // h·|w|
        AssertFails(Lesson06.CheckObd((w, h, a) => ObdByLoops(w, h, Math.Floor(a * w.numel()) / w.numel())), "rounded");
        AssertFails(Lesson06.CheckObd((w, h, a) => { var r = ObdByLoops(w, h, a); return (r.Saliency.to(float32), r.Mask); }), "dtype");
        AssertFails(Lesson06.CheckObd((w, h, a) => (PruningLab.SecondOrder.OptimalBrainDamage.Saliency(w, h), ObdByLoops(w, h, a).Mask)), "the answer itself");
    }

    [Fact]
    public void Check_6_2_judges_Hutchinsons_estimate_by_the_products_it_asks_for()
    {
        using var scope = NewDisposeScope();
        Assert.True(Lesson06.CheckHutchinson((p, n, s, g) => HutchinsonByLoops(p, n, s, g)).Passed);
        AssertStubFails(Lesson06.CheckHutchinson((_, _, _, _) => throw new NotImplementedException()));
        AssertFails(Lesson06.CheckHutchinson((p, n, s, g) => HutchinsonByLoops(p, n, s, g, gaussian: true)), "+1 or −1");
        AssertFails(Lesson06.CheckHutchinson((p, n, s, g) => HutchinsonByLoops(p, n, s, g, reuse: true)), "the same");
        AssertFails(Lesson06.CheckHutchinson((p, n, s, g) => HutchinsonByLoops(p, n, s + 1, g)), "products");
        AssertFails(Lesson06.CheckHutchinson((p, n, s, g) => HutchinsonByLoops(p, n, s, g) * s / (s + 1.0)), "mean of v ⊙ Hv");
        AssertFails(Lesson06.CheckHutchinson((p, n, s, g) => HutchinsonByLoops(p, n, s, g).to(float32)), "dtype");
    }

    // --- 5.1 and 5.2: loops over plain arrays.
    private static Tensor TaylorByLoops(IReadOnlyList<Tensor> gradients, Tensor weight, bool absoluteFirst = true, bool square = false)
    {
        var w = Values(weight);
        var result = new double[w.Length];
        for (var i = 0; i < w.Length; i++)
        {
            var products = gradients.Select(g => w[i] * Values(g)[i]).ToList();
            result[i] = square ? products.Average(p => p * p) : absoluteFirst ? products.Average(Math.Abs) : Math.Abs(products.Average());
        }
        return tensor(result).to(weight.dtype).reshape(weight.shape);
    }

    private static Tensor ChannelScoresByLoops(IReadOnlyList<(Tensor Activation, Tensor Gradient)> captured, bool normalise = true, bool absoluteFirst = false)
    {
        var channels = (int)captured[0].Activation.shape[1];
        var sums = new double[channels];
        long examples = 0;
        foreach (var (activation, gradient) in captured)
        {
            var (a, g, n) = (Values(activation), Values(gradient), (int)activation.shape[0]);
            var positions = a.Length / (n * channels);
            for (var e = 0; e < n; e++)
                for (var c = 0; c < channels; c++)
                {
                    var terms = Enumerable.Range(0, positions).Select(p => a[(e * channels + c) * positions + p] * g[(e * channels + c) * positions + p]).ToList();
                    sums[c] += absoluteFirst ? terms.Average(Math.Abs) : Math.Abs(terms.Average());
                }
            examples += n;
        }
        var scores = sums.Select(s => s / examples).ToArray();
        var norm = normalise ? Math.Sqrt(scores.Sum(s => s * s)) : 1;
        return tensor(scores.Select(s => s / norm).ToArray()).to(float32);
    }

    [Fact]
    public void Check_5_1_judges_the_Taylor_importance_of_weights_against_loops()
    {
        using var scope = NewDisposeScope();
        Assert.True(Lesson05.CheckTaylorScores((g, w) => TaylorByLoops(g, w)).Passed);
        AssertStubFails(Lesson05.CheckTaylorScores((_, _) => throw new NotImplementedException()));
        AssertFails(Lesson05.CheckTaylorScores((g, w) => TaylorByLoops(g, w, absoluteFirst: false)), "the mean over batches of |w·g|");   // |w·mean g|
        AssertFails(Lesson05.CheckTaylorScores((g, w) => TaylorByLoops(g, w, square: true)), "the mean over batches of |w·g|");
        AssertFails(Lesson05.CheckTaylorScores((g, w) => g[0].mul(w).abs()), "the mean over batches of |w·g|");                             // the first batch only
        AssertFails(Lesson05.CheckTaylorScores((g, w) => TaylorByLoops(g, w).to(float64)), "dtype");
        AssertFails(Lesson05.CheckTaylorScores((g, w) => { var r = TaylorByLoops(g, w); g[0].zero_(); return r; }), "changed its input");
    }

    [Fact]
    public void Check_5_2_judges_Molchanovs_channel_scores_against_loops()
    {
        using var scope = NewDisposeScope();
        Assert.True(Lesson05.CheckChannelScores(c => ChannelScoresByLoops(c)).Passed);
        AssertStubFails(Lesson05.CheckChannelScores(_ => throw new NotImplementedException()));
        AssertFails(Lesson05.CheckChannelScores(c => ChannelScoresByLoops(c, normalise: false)), "expected");
        AssertFails(Lesson05.CheckChannelScores(c => ChannelScoresByLoops(c, absoluteFirst: true)), "expected");   // |a·g| before the mean over positions
        AssertFails(Lesson05.CheckChannelScores(c => ChannelScoresByLoops(c.Take(1).ToList())), "expected");      // the first batch only
        AssertFails(Lesson05.CheckChannelScores(c => ChannelScoresByLoops(c).to(float64)), "dtype");
    }
}
