using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Training;

namespace PruningLab.Tests.Training;

public class PretrainedModelsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("pruninglab-models-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void The_first_call_trains_and_caches_the_second_loads_the_same_weights()
    {
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Sample).Subset(256, seed: 0);
        using var test = FashionMnist.Load(Split.Test, DatasetSize.Sample);
        var recipe = new TrainingOptions { Epochs = 1, Seed = 4, Progress = ProgressDisplay.None };
        var first = PretrainedModels.Get(ModelZoo.LeNet300100, train, test, recipe, cacheDirectory: dir);
        var second = PretrainedModels.Get(ModelZoo.LeNet300100, train, test, recipe, cacheDirectory: dir);
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(first.CheckpointPath, second.CheckpointPath);
        Assert.Equal(first.History.Select(e => e.ValidationAccuracy), second.History.Select(e => e.ValidationAccuracy));
        var a = first.Model.state_dict();
        var b = second.Model.state_dict();
        Assert.All(a.Keys, k => Assert.True(a[k].equal(b[k]).all().item<bool>(), k));
        // Another recipe is another cache entry.
        var third = PretrainedModels.Get(ModelZoo.LeNet300100, train, test, recipe with { Seed = 5 }, cacheDirectory: dir);
        Assert.False(third.FromCache);
        Assert.NotEqual(first.CheckpointPath, third.CheckpointPath);
    }
}
