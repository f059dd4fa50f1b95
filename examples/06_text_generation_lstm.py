# %%
# In a fresh hosted notebook (Colab, Kaggle), remove the "#" before %pip and
# run this cell first: it installs kerasteach (or the wheel your teacher gives).
# # %pip install kerasteach

# %% [markdown]
# # 6. A character-level LSTM that writes text
#
# The network reads 40 characters and guesses the next one; fed its own
# guesses, it writes. The text is Python's own help pages (`pydoc_data`,
# which ships with every Python), so nothing is downloaded. After each epoch
# it prints a sample: watch it go from noise to words to Python-like prose.

# %%
import kerasteach.quiet  # first, before Keras: no TensorFlow start-up messages
from pydoc_data.topics import topics

import keras
import numpy as np
from kerasteach.course import options, output_folder, save_results

import kerasteach

args = options("A character-level LSTM on Python's help pages", epochs=10)
out = output_folder(args, "06_text_generation_lstm")
text = "\n".join(topics[key] for key in sorted(topics))
text = text[: 20_000 if args.quick else 300_000]
characters = sorted(set(text))
index = {c: i for i, c in enumerate(characters)}
print(f"{len(text):,} characters, {len(characters)} different ones")

# %% [markdown]
# ## Windows of 40 characters, and the character that follows each
# The last tenth of the text is kept apart to test on.

# %%
WINDOW, STEP = 40, 3
codes = np.array([index[c] for c in text], dtype="int32")
starts = np.arange(0, len(codes) - WINDOW, STEP)
x = np.stack([codes[s : s + WINDOW] for s in starts])
y = codes[starts + WINDOW]
split = int(len(x) * 0.9)
(x_train, y_train), (x_test, y_test) = (x[:split], y[:split]), (x[split:], y[split:])

# %%
keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input((WINDOW,), dtype="int32"),
        keras.layers.Embedding(len(characters), 32, name="embedding"),
        keras.layers.LSTM(128, name="lstm"),
        keras.layers.Dense(len(characters), activation="softmax", name="next_char"),
    ],
    name="char_lstm",
)
kerasteach.summary(model).print()
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])


# %%
def write(length: int = 200, temperature: float = 0.6, seed: int = 0) -> str:
    """Text from the model, one character at a time, started from the test text."""
    rng = np.random.default_rng(seed)
    window = list(x_test[0])
    written = []
    for _ in range(length):
        probabilities = model.predict_on_batch(np.array([window]))[0].astype("float64")
        logits = np.log(probabilities + 1e-9) / temperature
        choice = rng.choice(len(characters), p=np.exp(logits) / np.exp(logits).sum())
        written.append(characters[choice])
        window = window[1:] + [choice]
    return "".join(written)


class Sample(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        print(
            f"\n--- after epoch {epoch + 1} ---\n{write(120 if args.quick else 300)}\n"
        )


model.fit(
    x_train,
    y_train,
    epochs=args.epochs,
    batch_size=128,
    validation_split=0.05,
    verbose=0,
    callbacks=[kerasteach.TqdmProgress(), Sample()],
)
accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
print(f"Next-character accuracy on text it never saw: {accuracy:.2%}")
(out / "sample.txt").write_text(write(1000))
save_results(out, {"LSTM next character": accuracy})
