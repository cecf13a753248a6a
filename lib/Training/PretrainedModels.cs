using System.Text.Json;
using PruningLab.Data;
using PruningLab.Models;
using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>A trained model with the history of the run that produced it.</summary>
/// <param name="Model">The trained network.</param>
/// <param name="History">The per-epoch results of its training run.</param>
/// <param name="CheckpointPath">Where the weights are cached.</param>
/// <param name="FromCache">True when the weights were loaded rather than trained now.</param>
/// <param name="Key">A short hash of everything that decided the weights: later runs that start from this model include it in their own keys.</param>
public sealed record PretrainedModel(nn.Module<Tensor, Tensor> Model, TrainingHistory History, string CheckpointPath, bool FromCache, string Key);

/// <summary>
/// Dense base models shared by the lessons: trained once per architecture, data, recipe and seed, then loaded
/// from <see cref="CoursePaths.ModelCache"/> (<c>models/cache/</c> in the clone). Delete a file there to retrain.
/// </summary>
public static class PretrainedModels
{
    /// <summary>
    /// The course's recipe for the dense LeNet-300-100 of lessons 00–02: 15 epochs, batch 128, SGD with momentum 0.9,
    /// learning rate 0.05 with cosine decay, seed 0.
    /// </summary>
    public static TrainingOptions BaseRecipe { get; } = new()
    {
        Epochs = 15, BatchSize = 128, Seed = 0,
        Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.9),
        Schedule = LearningRateSchedule.Cosine(),
    };

    /// <summary>The dense LeNet-300-100 trained with <see cref="BaseRecipe"/> and <paramref name="seed"/> (cached after the first run).</summary>
    public static PretrainedModel LeNet300100(CourseData data, int seed = 0, Action<TrainingHistory>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Get(ModelZoo.LeNet300100, data.Train, data.Validation, BaseRecipe with { Seed = seed }, onEpoch);
    }

    /// <summary>
    /// The recipe for the small VGG of lessons 03–04: the LeNet recipe cut to 3 epochs, since an epoch of the CNN costs
    /// about 40 s on two cores (3 epochs reach about 91 % validation accuracy; 8 reach 93 %).
    /// </summary>
    public static TrainingOptions CnnRecipe { get; } = BaseRecipe with { Epochs = 3 };

    /// <summary>The dense small VGG trained with <see cref="CnnRecipe"/> and <paramref name="seed"/> (cached after the first run).</summary>
    public static PretrainedModel SmallVgg(CourseData data, int seed = 0, Action<TrainingHistory>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Get(ModelZoo.SmallVgg, data.Train, data.Validation, CnnRecipe with { Seed = seed }, onEpoch);
    }

    /// <summary>
    /// Loads the cached model for this recipe, or trains it (with progress) and caches it.
    /// </summary>
    /// <param name="architecture">A name <see cref="ModelZoo.Create"/> accepts.</param>
    /// <param name="train">Training data; its name and size are part of the cache key.</param>
    /// <param name="validation">Evaluation data for the per-epoch history; its name and size are part of the key too.</param>
    /// <param name="options">The recipe: every setting of <see cref="TrainingOptions.Recipe"/> is part of the key.</param>
    /// <param name="onEpoch">Live progress while training (not called when loading from the cache).</param>
    /// <param name="cacheDirectory">Where to keep the model; <see cref="CoursePaths.ModelCache"/> by default.</param>
    /// <exception cref="ArgumentException">The options carry hooks: code cannot be part of a cache key.</exception>
    public static PretrainedModel Get(string architecture, ImageDataset train, ImageDataset validation, TrainingOptions? options = null,
        Action<TrainingHistory>? onEpoch = null, string? cacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        options ??= new TrainingOptions();
        options.Validate();
        if (options.Hooks.Count > 0)
            throw new ArgumentException("A cached base model is trained without hooks (they are code, and cannot be part of the cache key); train with Trainer.Fit instead.", nameof(options));
        var key = CacheKey.Of($"base|{architecture}|{train.Name}|{train.Count}|{validation.Name}|{validation.Count}|{options.Recipe()}");
        var stem = Path.Combine(cacheDirectory ?? CoursePaths.ModelCache, $"{architecture}-{CacheKey.Sanitize(train.Name)}-{train.Count}-e{options.Epochs}-seed{options.Seed}-{key}");
        var checkpointPath = stem + ".ckpt";
        var historyPath = stem + ".history.json";

        var model = ModelZoo.Create(architecture, options.Seed);
        if (File.Exists(checkpointPath) && File.Exists(historyPath))
        {
            Checkpoint.Load(model, checkpointPath);
            var saved = JsonSerializer.Deserialize<List<EpochResult>>(File.ReadAllText(historyPath)) ?? [];
            return new PretrainedModel(model, new TrainingHistory(saved), checkpointPath, FromCache: true, key);
        }

        if (!CourseEnvironment.InNotebook && options.Progress != ProgressDisplay.None)
            Console.Error.WriteLine($"Training {architecture} on {train.Name} ({options.Epochs} epochs, seed {options.Seed}); cached afterwards at {checkpointPath}");
        var history = Trainer.Fit(model, train, validation, options, onEpoch);
        Checkpoint.Save(model, checkpointPath);
        AtomicFile.WriteAllText(historyPath, JsonSerializer.Serialize(history.ToList()));
        return new PretrainedModel(model, history, checkpointPath, FromCache: false, key);
    }
}
