using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Tests.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Training;

public class RunCacheTests(SampleData data) : IClassFixture<SampleData>, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("pruninglab-runs-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void The_second_run_of_a_recipe_loads_the_first_runs_weights_masks_and_history()
    {
        using var train = data.Train.Subset(128, seed: 1);
        using var validation = data.Test.Subset(64, seed: 1);
        var calls = 0;
        TrainingHistory Train(nn.Module<Tensor, Tensor> model, ModelMasks masks)
        {
            calls++;
            masks.Prune(Scope.Global(0.6));
            return Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 1, BatchSize = 32, Progress = ProgressDisplay.None, Hooks = [masks.Hook] });
        }
        using var first = RunCache.Get("test recipe 1", () => ModelZoo.Create(ModelZoo.LeNet300100, 0), Train, cacheDirectory: dir);
        using var second = RunCache.Get("test recipe 1", () => ModelZoo.Create(ModelZoo.LeNet300100, 0), Train, cacheDirectory: dir);
        Assert.Equal(1, calls);
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(first.Key, second.Key);
        Assert.All(first.Model.state_dict(), p => Assert.True(p.Value.equal(second.Model.state_dict()[p.Key]).all().item<bool>(), p.Key));
        Assert.Equal(first.Masks.Zeros, second.Masks.Zeros);
        Assert.Equal(first.History.Select(e => e.ValidationAccuracy), second.History.Select(e => e.ValidationAccuracy));
        using var other = RunCache.Get("test recipe 2", () => ModelZoo.Create(ModelZoo.LeNet300100, 0), Train, cacheDirectory: dir);
        Assert.Equal(2, calls);
        using var uncached = RunCache.Get("test recipe 1", () => ModelZoo.Create(ModelZoo.LeNet300100, 0), Train, cache: false, cacheDirectory: dir);
        Assert.Equal(3, calls);
    }
}
