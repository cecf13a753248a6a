using System.Text.Json;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>A model trained from a start point, with its masks (all ones if nothing was pruned) and its history.</summary>
public sealed class TrainedRun : IDisposable
{
    internal TrainedRun(nn.Module<Tensor, Tensor> model, ModelMasks masks, TrainingHistory history, bool fromCache, string key)
    {
        Model = model;
        Masks = masks;
        History = history;
        FromCache = fromCache;
        Key = key;
    }

    /// <summary>The trained network.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }
    /// <summary>Its masks.</summary>
    public ModelMasks Masks { get; }
    /// <summary>The per-epoch results of the training.</summary>
    public TrainingHistory History { get; }
    /// <summary>True when loaded rather than trained now.</summary>
    public bool FromCache { get; }
    /// <summary>The hash of the recipe: runs that start from this one include it in their own keys.</summary>
    public string Key { get; }

    /// <summary>Frees the masks and the model.</summary>
    public void Dispose()
    {
        Masks.Dispose();
        Model.Dispose();
    }
}

/// <summary>
/// Trained runs cached by recipe (<c>models/cache/runs/</c>), so that re-running a lesson, or running it with a
/// second notebook runner, loads what the first run trained instead of training again. A recipe must name everything
/// that decides the result, including the key of the model it starts from; the cache key is its hash
/// (<see cref="CacheKey"/>). Delete the folder to recompute.
/// </summary>
public static class RunCache
{
    private sealed record Entry(string Recipe, List<EpochResult> History);

    /// <summary>
    /// Loads the run of <paramref name="recipe"/> from the cache, or makes it: a fresh model from
    /// <paramref name="start"/>, masks for all its layers, then <paramref name="train"/> (which prunes and trains and
    /// returns the history); the result is cached unless <paramref name="cache"/> is false.
    /// </summary>
    public static TrainedRun Get(string recipe, Func<nn.Module<Tensor, Tensor>> start,
        Func<nn.Module<Tensor, Tensor>, ModelMasks, TrainingHistory> train, bool cache = true, string? cacheDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(recipe);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(train);
        var key = CacheKey.Of(recipe);
        var stem = Path.Combine(cacheDirectory ?? Path.Combine(CoursePaths.ModelCache, "runs"), key);
        var model = start();
        if (cache && File.Exists(stem + ".ckpt") && File.Exists(stem + ".json"))
        {
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllText(stem + ".json"));
            if (entry?.Recipe == recipe)
                return new TrainedRun(model, ModelMasks.Load(model, stem + ".ckpt"), new TrainingHistory(entry.History), fromCache: true, key);
        }
        var masks = ModelMasks.For(model);
        var history = train(model, masks);
        if (cache)
        {
            masks.Save(stem + ".ckpt");
            AtomicFile.WriteAllText(stem + ".json", JsonSerializer.Serialize(new Entry(recipe, history.ToList())));
        }
        return new TrainedRun(model, masks, history, fromCache: false, key);
    }
}
