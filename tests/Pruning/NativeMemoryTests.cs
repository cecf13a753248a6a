using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

/// <summary>
/// Every pruning call frees the native tensors it makes: the thread's live-tensor count is the same before and after,
/// outside any dispose scope (where a leak would otherwise go unnoticed until the process ends).
/// </summary>
public class NativeMemoryTests(SampleData data) : IClassFixture<SampleData>
{
    private static long Live => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    private static void AssertNoLeak(string what, Action action)
    {
        action();   // warm up: lazily created tensors (originals, cached shapes) are made once
        var before = Live;
        for (var i = 0; i < 3; i++) action();
        Assert.True(Live == before, $"{what}: {Live - before} tensors left alive after three calls");
    }

    [Fact]
    public void Masks_operations_free_their_temporaries()
    {
        using var model = ModelZoo.Create(ModelZoo.LeNet5, seed: 0);
        using var masks = ModelMasks.For(model);
        var path = Path.Combine(Path.GetTempPath(), $"pruninglab-leak-{Guid.NewGuid():N}.ckpt");
        try
        {
            AssertNoLeak("Prune", () => masks.Prune(Scope.Global(0.1)));
            AssertNoLeak("PruneTo rows", () => masks.PruneTo(masks.Sparsity + 0.02, granularity: Granularity.Rows));
            AssertNoLeak("Apply", masks.Apply);
            AssertNoLeak("Report", () => _ = masks.Report());
            AssertNoLeak("Sparsity", () => _ = masks.Sparsity);
            AssertNoLeak("SparsityReport.Of", () => _ = SparsityReport.Of(model));
            AssertNoLeak("WeightValues", () => _ = MagnitudePruning.WeightValues(model, "conv2"));
            AssertNoLeak("Save", () => masks.Save(path));
            AssertNoLeak("Checkpoint.Save", () => Checkpoint.Save(model, path + ".plain"));
            AssertNoLeak("Restore", masks.Restore);
            AssertNoLeak("Load", () => { using var loaded = ModelMasks.Load(model, path); });
            AssertNoLeak("Remove", masks.Remove);
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".plain");
        }
    }

    [Fact]
    public void PruneTo_and_gradual_pruning_in_training_keep_the_live_count_flat()
    {
        using var train = data.Train.Subset(256, seed: 1);
        using var validation = data.Test.Subset(64, seed: 1);
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        masks.PruneTo(0.2);
        var counts = new List<long>();
        foreach (var target in new[] { 0.3, 0.4, 0.5, 0.6 })
        {
            masks.PruneTo(target);
            counts.Add(Live);
        }
        Assert.All(counts, c => Assert.Equal(counts[0], c));

        var perEpoch = new List<long>();
        var gradual = new GradualPruning(masks, new PolynomialSchedule(0.6, 0.9, 0, 6, 4));
        Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 4, BatchSize = 32, Progress = ProgressDisplay.None, Hooks = [gradual] },
            _ => perEpoch.Add(Live));
        Assert.Equal(0.9, masks.Sparsity, 4);
        Assert.All(perEpoch, c => Assert.Equal(perEpoch[0], c));
    }
}
