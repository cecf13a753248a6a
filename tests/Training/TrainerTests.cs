using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PruningLab.Tests.Training;

public class TrainerTests
{
    private static TrainingOptions Quick(int epochs, int seed = 0) => new()
    {
        Epochs = epochs, BatchSize = 64, Seed = seed, Progress = ProgressDisplay.None,
        Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.9),
    };

    [Fact]
    public void Training_on_the_sample_learns_and_records_every_epoch()
    {
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Sample);
        using var test = FashionMnist.Load(Split.Test, DatasetSize.Sample);
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        var before = Evaluator.Accuracy(model, test);
        var seen = new List<int>();
        var history = Trainer.Fit(model, train, test, Quick(3), h => seen.Add(h.Count));
        Assert.Equal(new[] { 1, 2, 3 }, seen);
        Assert.Equal(3, history.Count);
        Assert.True(history[2].TrainLoss < history[0].TrainLoss, "training loss should fall");
        Assert.True(history[2].ValidationAccuracy > 0.70, $"test accuracy {history[2].ValidationAccuracy:P1} after 3 epochs on 2,000 images");
        Assert.True(before < 0.3, $"an untrained network should be near chance, was {before:P1}");
        Assert.Equal(history[2].ValidationAccuracy, Evaluator.Accuracy(model, test), 6);
    }

    [Fact]
    public void The_same_seed_gives_the_same_run_and_another_seed_a_different_one()
    {
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Sample).Subset(512, seed: 1);
        using var test = FashionMnist.Load(Split.Test, DatasetSize.Sample);
        double[] Run(int seed)
        {
            using var model = ModelZoo.Create(ModelZoo.LeNet5, seed: seed);
            var history = Trainer.Fit(model, train, test, Quick(2, seed));
            return history.SelectMany(e => new[] { e.TrainLoss, e.ValidationLoss, e.ValidationAccuracy })
                .Concat(model.parameters().Select(p => (double)p.sum().item<float>())).ToArray();
        }
        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3), Run(4));
    }

    [Fact]
    public void Native_memory_stays_flat_across_twenty_epochs()
    {
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Sample).Subset(256, seed: 2);
        using var test = FashionMnist.Load(Split.Test, DatasetSize.Sample).Subset(100, seed: 2);
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 0);
        var live = new List<long>();
        var rss = new List<long>();
        Trainer.Fit(model, train, test, Quick(20) with { Optimizer = OptimizerSettings.Adam(1e-3) }, _ =>
        {
            live.Add(DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            rss.Add(Environment.WorkingSet);
        });
        // Every tensor made in an epoch is disposed by the end of it: the live count does not grow.
        Assert.All(live.Skip(1), count => Assert.Equal(live[1], count));
        // Resident memory is noisy (allocator arenas, the GC, other tests in this process), so it only guards against
        // gross leaks: leaking one step's activations would add ~13 MB per epoch, >100 MB over the last ten epochs.
        var growth = rss[^1] - rss[9];
        Assert.True(growth < 40L << 20, $"resident memory grew by {growth / 1e6:F1} MB between epochs 10 and 20");
    }

    [Fact]
    public void Bad_options_name_the_value()
    {
        Assert.Contains("batch size", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { BatchSize = 0 }.Validate()).Message);
        Assert.Contains("learning rate", Assert.Throws<ArgumentOutOfRangeException>(() => OptimizerSettings.Sgd(-1)).Message);
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(2, 0.1)]
    [InlineData(3, 0.01)]
    [InlineData(7, 0.001)]
    public void Step_schedule_decays_every_few_epochs(int epoch, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.Step(3, 0.1).RateAt(epoch, 10, 0.1), 12);

    [Fact]
    public void Cosine_schedule_starts_at_the_base_rate_and_halves_midway()
    {
        var cosine = LearningRateSchedule.Cosine();
        Assert.Equal(0.1, cosine.RateAt(0, 10, 0.1), 12);
        Assert.Equal(0.05, cosine.RateAt(5, 10, 0.1), 12);
        Assert.True(cosine.RateAt(9, 10, 0.1) < 0.01);
    }

    [Fact]
    public void Confusion_matrix_rows_add_up_to_the_class_sizes_and_its_trace_to_the_accuracy()
    {
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Sample);
        using var test = FashionMnist.Load(Split.Test, DatasetSize.Sample);
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        Trainer.Fit(model, train, test, Quick(1));
        var matrix = Evaluator.ConfusionMatrix(model, test);
        var counts = test.ClassCounts();
        for (var c = 0; c < 10; c++)
            Assert.Equal(counts[c], Enumerable.Range(0, 10).Sum(p => (long)matrix[c, p]));
        var trace = Enumerable.Range(0, 10).Sum(c => matrix[c, c]);
        Assert.Equal(Evaluator.Accuracy(model, test), trace / (double)test.Count, 9);
    }
}
