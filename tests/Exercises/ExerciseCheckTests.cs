using PruningLab.Data;
using PruningLab.Exercises;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Exercises;

/// <summary>
/// Every exercise check passes the reference, fails a stub that throws NotImplementedException with its hint,
/// fails a wrong answer naming the case, and never throws. The checks use the same fixtures as the notebooks.
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

    [Fact]
    public void Exercise_0_1()
    {
        Assert.True(Lesson00.CheckPruneByMagnitude(MagnitudePruning.PruneTensor).Passed);
        AssertStubFails(Lesson00.CheckPruneByMagnitude((_, _) => throw new NotImplementedException()));
        var wrong = Lesson00.CheckPruneByMagnitude((w, f) => w.clone());   // prunes nothing
        Assert.False(wrong.Passed);
        Assert.Contains("case", wrong.Message);
    }

    [Fact]
    public void Exercise_1_1_to_1_3()
    {
        Assert.True(Lesson01.CheckMagnitudeMask(MagnitudePruning.Mask).Passed);
        AssertStubFails(Lesson01.CheckMagnitudeMask((_, _) => throw new NotImplementedException()));
        // An off-by-one (floor instead of round) must be caught.
        Assert.False(Lesson01.CheckMagnitudeMask((w, s) => MagnitudePruning.Mask(w, Math.Floor(s * w.numel()) / Math.Max(1, w.numel()) * 0.999)).Passed);

        Assert.True(Lesson01.CheckSparsity(MagnitudePruning.Sparsity).Passed);
        AssertStubFails(Lesson01.CheckSparsity(_ => throw new NotImplementedException()));
        Assert.False(Lesson01.CheckSparsity(w => w.count_nonzero().item<long>() / (double)w.numel()).Passed);   // density, not sparsity

        long Csr(Tensor w) => new LayerSparsity("w", w.shape, w.numel() - w.count_nonzero().item<long>()).CsrBytes;
        Assert.True(Lesson01.CheckCsrBytes(Csr).Passed);
        AssertStubFails(Lesson01.CheckCsrBytes(_ => throw new NotImplementedException()));
        Assert.False(Lesson01.CheckCsrBytes(w => 4 * w.count_nonzero().item<long>()).Passed);   // values only
    }

    [Fact]
    public void Exercise_1_4_measures_the_learners_choice()
    {
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Sample);
        using var test = FashionMnist.Load(Split.Test, DatasetSize.Sample);
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        Trainer.Fit(model, train, test, new TrainingOptions { Epochs = 2, Progress = ProgressDisplay.None });
        var light = Lesson01.CheckChosenSparsities(() => new Dictionary<string, double> { ["fc1"] = 0.1 }, model, test);
        Assert.False(light.Passed);   // far below the sparsity target
        Assert.Contains("overall sparsity", light.Message);
        var generous = Lesson01.CheckChosenSparsities(() => new Dictionary<string, double> { ["fc1"] = 0.9, ["fc2"] = 0.9, ["fc3"] = 0.9 },
            model, test, targetSparsity: 0.8, maxDrop: 1.0);
        Assert.True(generous.Passed);
        AssertStubFails(Lesson01.CheckChosenSparsities(() => throw new NotImplementedException(), model, test));
        Assert.False(Lesson01.CheckChosenSparsities(() => new Dictionary<string, double> { ["nope"] = 0.5 }, model, test).Passed);
    }

    [Fact]
    public void Exercise_2_1_to_2_3()
    {
        Assert.True(Lesson02.CheckMaskedStep((opt, w, m) => { opt.step(); using (no_grad()) w.mul_(m); }).Passed);
        AssertStubFails(Lesson02.CheckMaskedStep((_, _, _) => throw new NotImplementedException()));
        // Masking the gradient instead of the weight lets momentum and weight decay move pruned weights: must fail.
        Assert.False(Lesson02.CheckMaskedStep((opt, w, m) => { using (no_grad()) w.grad!.mul_(m); opt.step(); }).Passed);

        Assert.True(Lesson02.CheckPruneSurvivors(MagnitudePruning.PruneSurvivors).Passed);
        AssertStubFails(Lesson02.CheckPruneSurvivors((_, _, _) => throw new NotImplementedException()));
        // Ignoring the old mask (pruning from scratch) must fail.
        Assert.False(Lesson02.CheckPruneSurvivors((w, m, f) => MagnitudePruning.Mask(w, f)).Passed);

        Assert.True(Lesson02.CheckPolynomialSchedule((t, si, sf, t0, n, dt) => new PolynomialSchedule(si, sf, t0, n, dt).SparsityAt(t)).Passed);
        AssertStubFails(Lesson02.CheckPolynomialSchedule((_, _, _, _, _, _) => throw new NotImplementedException()));
        // A linear ramp instead of the cube must fail.
        Assert.False(Lesson02.CheckPolynomialSchedule((t, si, sf, t0, n, dt) =>
            t <= t0 ? si : t >= t0 + n * dt ? sf : si + (sf - si) * (t - t0) / (double)(n * dt)).Passed);
    }
}
