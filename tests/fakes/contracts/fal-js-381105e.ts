/*
 * Input and output types of fal endpoint ids that the pinned npm
 * release of @fal-ai/client does not carry yet, cut verbatim out of
 * the client's repository (tests data, never compiled into anything):
 *
 *   source  https://github.com/fal-ai/fal-js
 *   file    libs/client/src/types/endpoints.ts
 *   commit  381105e138b85502b528fb8f6c16d909e30e462a (2026-08-02)
 *   tool    tests/fakes/contracts/extract-fal-js.mjs
 *
 * Only EndpointTypeMap is cut down to these ids; every declaration below
 * it is the repository's text, JSDoc included.
 */

export type AudioSetting25 = {
  /**
   * Bitrate of generated audio Default value: `"256000"`
   */
  bitrate?: 32000 | 64000 | 128000 | 256000;
  /**
   * Audio format Default value: `"mp3"`
   */
  format?: "mp3" | "wav" | "pcm";
  /**
   * Sample rate of generated audio Default value: `"44100"`
   */
  sample_rate?: 16000 | 24000 | 32000 | 44100;
};
export type BaseKontextInpaintInput = {
  /**
   * The speed of the generation. The higher the speed, the faster the generation. Default value: `"none"`
   */
  acceleration?: "none" | "regular" | "high";
  /**
   * If set to true, the safety checker will be enabled. Default value: `true`
   */
  enable_safety_checker?: boolean;
  /**
   * The CFG (Classifier Free Guidance) scale is a measure of how close you want
   * the model to stick to your prompt when looking for a related image to show you. Default value: `2.5`
   */
  guidance_scale?: number;
  /**
   * The URL of the image to be inpainted.
   */
  image_url: string | Blob | File;
  /**
   * The LoRAs to use for the image generation. You can use any number of LoRAs
   * and they will be merged together to generate the final image.
   */
  loras?: Array<LoraWeight>;
  /**
   * The URL of the mask for inpainting.
   */
  mask_url: string | Blob | File;
  /**
   * The number of images to generate. Default value: `1`
   */
  num_images?: number;
  /**
   * The number of inference steps to perform. Default value: `30`
   */
  num_inference_steps?: number;
  /**
   * The format of the generated image. Default value: `"png"`
   */
  output_format?: "jpeg" | "png";
  /**
   * The prompt for the image to image task.
   */
  prompt: string;
  /**
   * The URL of the reference image for inpainting.
   */
  reference_image_url: string | Blob | File;
  /**
   * The same seed and the same prompt given to the same version of the model
   * will output the same image every time.
   */
  seed?: number;
  /**
   * The strength of the initial image. Higher strength values are better for this model. Default value: `0.88`
   */
  strength?: number;
  /**
   * If `True`, the media will be returned as a data URI and the output data won't be available in the request history.
   */
  sync_mode?: boolean;
};
export type BlurOutput = {
  /**
   * The processed images with blur effect
   */
  images: Array<Image>;
};
export type DiaOutput = {
  /**
   * The generated speech audio
   */
  audio: File;
};
export type File = {
  /**
   * The mime type of the file. Default value: `"null"`
   */
  content_type?: string;
  /**
   * File data Default value: `"null"`
   */
  file_data?: string;
  /**
   * The name of the file. It will be auto-generated if not provided. Default value: `"null"`
   */
  file_name?: string;
  /**
   * The size of the file in bytes.
   */
  file_size?: number;
  /**
   * The URL where the file can be downloaded from.
   */
  url: string;
};
export type Flux2ProOutpaintInput = {
  /**
   * Whether to automatically crop the reference image when the expanded canvas does not fully contain it.
   */
  auto_crop?: boolean;
  /**
   * Whether to enable the safety checker. Default value: `true`
   */
  enable_safety_checker?: boolean;
  /**
   * Pixels to expand at the bottom of the image.
   */
  expand_bottom?: number;
  /**
   * Pixels to expand on the left of the image.
   */
  expand_left?: number;
  /**
   * Pixels to expand on the right of the image.
   */
  expand_right?: number;
  /**
   * Pixels to expand at the top of the image.
   */
  expand_top?: number;
  /**
   * The image URL to expand using outpainting.
   */
  image_url: string | Blob | File;
  /**
   * Quality/speed trade-off for outpainting. `high` (default) delivers the highest-fidelity results; `fast` is significantly faster and extends most scenes well but may produce lower fidelity. Default value: `"high"`
   */
  mode?: "high" | "fast";
  /**
   * The format of the generated image. Default value: `"jpeg"`
   */
  output_format?: "jpeg" | "png";
  /**
   * If `True`, the media will be returned as a data URI and the output data won't be available in the request history.
   */
  sync_mode?: boolean;
};
export type GptImage2EditInput = {
  /**
   * The size of the generated image. Use 'auto' to infer from input images. Default value: `auto`
   */
  image_size?:
    | ImageSize
    | "square_hd"
    | "square"
    | "portrait_4_3"
    | "portrait_16_9"
    | "landscape_4_3"
    | "landscape_16_9"
    | "auto";
  /**
   * The URLs of the images to use as a reference for the generation. A maximum of 16 images are allowed.
   */
  image_urls: Array<string>;
  /**
   * The URL of the mask image to use for the generation. This indicates what part of the image to edit.
   */
  mask_url?: string | Blob | File;
  /**
   * Number of images to generate Default value: `1`
   */
  num_images?: number;
  /**
   * Output format for the images Default value: `"png"`
   */
  output_format?: "jpeg" | "png" | "webp";
  /**
   * The prompt for image generation
   */
  prompt: string;
  /**
   * Quality for the generated image. Use 'auto' to let the model pick the best quality for the prompt. Default value: `"high"`
   */
  quality?: "auto" | "low" | "medium" | "high";
  /**
   * If `True`, the media will be returned as a data URI and the output data won't be available in the request history.
   */
  sync_mode?: boolean;
};
export type GptImage2Input = {
  /**
   * The size of the generated image. Supports preset names, explicit {width, height}, or 'auto' to let the model pick the best size. Concrete sizes must have both dimensions as multiples of 16, max edge 3840px, aspect ratio <= 3:1, total pixels between 655,360 and 8,294,400. Default value: `landscape_4_3`
   */
  image_size?:
    | ImageSize
    | "square_hd"
    | "square"
    | "portrait_4_3"
    | "portrait_16_9"
    | "landscape_4_3"
    | "landscape_16_9"
    | "auto";
  /**
   * Number of images to generate Default value: `1`
   */
  num_images?: number;
  /**
   * Output format for the images Default value: `"png"`
   */
  output_format?: "jpeg" | "png" | "webp";
  /**
   * The prompt for image generation
   */
  prompt: string;
  /**
   * Quality for the generated image. Use 'auto' to let the model pick the best quality for the prompt. Default value: `"high"`
   */
  quality?: "auto" | "low" | "medium" | "high";
  /**
   * If `True`, the media will be returned as a data URI and the output data won't be available in the request history.
   */
  sync_mode?: boolean;
};
export type Image = {
  /**
   * The mime type of the file.
   */
  content_type?: string;
  /**
   * The name of the file. It will be auto-generated if not provided.
   */
  file_name?: string;
  /**
   * The size of the file in bytes.
   */
  file_size?: number;
  /**
   * The height of the image in pixels.
   */
  height?: number;
  /**
   * The URL where the file can be downloaded from.
   */
  url: string;
  /**
   * The width of the image in pixels.
   */
  width?: number;
};
export type ImageSize = {
  /**
   * The height of the generated image. Default value: `512`
   */
  height?: number;
  /**
   * The width of the generated image. Default value: `512`
   */
  width?: number;
};
export type Imagineart15PreviewTextToImageInput = {
  /**
   * Image aspect ratio: 1:1, 3:1, 1:3, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3 Default value: `"1:1"`
   */
  aspect_ratio?:
    | "1:1"
    | "3:1"
    | "1:3"
    | "16:9"
    | "9:16"
    | "4:3"
    | "3:4"
    | "3:2"
    | "2:3";
  /**
   * Text prompt describing the desired image. Accepts either a raw string or a JSON string/fenced JSON with positive_prompt and optional negative_prompt.
   */
  prompt: string;
  /**
   * Seed for generation. 0 and -1 are treated as random.
   */
  seed?: number;
};
export type LoraWeight = {
  /**
   * If set to true, the embedding will be forced to be used.
   */
  force?: boolean;
  /**
   * URL or path to a LoRA safetensors file. Or HF model name that resolves to safetensors weights.
   */
  path: string;
  /**
   * The scale of the LoRA weight. This is used to scale the LoRA weight
   * before merging it with the base model. Default value: `1`
   */
  scale?: number;
};
export type Ltx23QualityTextToAudioOutput = {
  /**
   * The generated audio.
   */
  audio: File;
  /**
   * The prompt used for generation (after any expansion).
   */
  prompt: string;
  /**
   * The seed actually used for generation.
   */
  seed: number;
};
export type MinimaxMusicV25Input = {
  /**
   * Audio configuration settings
   */
  audio_setting?: AudioSetting25;
  /**
   * When true, generates vocal-free instrumental music.
   */
  is_instrumental?: boolean;
  /**
   * Lyrics of the song. Use
   *  to separate lines. Supports structure tags: [Intro], [Verse], [Pre Chorus], [Chorus], [Bridge], [Outro], [Interlude], [Hook], [Break], [Solo], [Inst]. Max 3500 characters. Required when is_instrumental is false and lyrics_optimizer is false. Default value: `""`
   */
  lyrics?: string;
  /**
   * When true and lyrics is empty, auto-generates lyrics from the prompt.
   */
  lyrics_optimizer?: boolean;
  /**
   * A description of the music style, mood, genre, and scenario. Max 2000 characters.
   */
  prompt: string;
};
export type ModifyOutput = {
  /**
   * The seed used for generation
   */
  seed: number;
  /**
   * The modified video
   */
  video: File;
};
export type photaOutput = {
  /**
   * The URL of the generated image.
   */
  images: Array<ImageFile>;
};
export type pulidOutput = {
  /**
   * List of generated images
   */
  images: Array<Image>;
  /**
   * Random seed used for reproducibility
   */
  seed: number;
};
export type Seedance2I2VFastInput = {
  /**
   * The aspect ratio of the generated video. Use 16:9 for landscape, 9:16 for portrait/vertical, 1:1 for square, 21:9 for ultrawide cinematic, or auto to infer from the input image. Default value: `"auto"`
   */
  aspect_ratio?: "auto" | "21:9" | "16:9" | "4:3" | "1:1" | "3:4" | "9:16";
  /**
   * Output bitrate mode. 'high' requests a higher-quality, larger-file encode from the model; 'standard' uses the default bitrate. Default value: `"standard"`
   */
  bitrate_mode?: "standard" | "high";
  /**
   * Duration of the video in seconds. Supports 4 to 15 seconds, or auto to let the model decide based on the prompt. Default value: `"auto"`
   */
  duration?:
    | "auto"
    | "4"
    | "5"
    | "6"
    | "7"
    | "8"
    | "9"
    | "10"
    | "11"
    | "12"
    | "13"
    | "14"
    | "15";
  /**
   * The URL of the image to use as the last frame of the video. When provided, the generated video will transition from the starting image to this ending image. Supported formats: JPEG, PNG, WebP. Max 30 MB.
   */
  end_image_url?: string | Blob | File;
  /**
   * The unique user ID of the end user.
   */
  end_user_id?: string;
  /**
   * Whether to generate synchronized audio for the video, including sound effects, ambient sounds, and lip-synced speech. The cost of video generation is the same regardless of whether audio is generated or not. Default value: `true`
   */
  generate_audio?: boolean;
  /**
   * The URL of the starting frame image to animate. Supported formats: JPEG, PNG, WebP. Max 30 MB.
   */
  image_url: string | Blob | File;
  /**
   * The text prompt describing the desired motion and action for the video.
   */
  prompt: string;
  /**
   * Video resolution - 480p for faster generation, 720p for balance. Default value: `"720p"`
   */
  resolution?: "480p" | "720p";
};
export type Seedance2I2VInput = {
  /**
   * The aspect ratio of the generated video. Use 16:9 for landscape, 9:16 for portrait/vertical, 1:1 for square, 21:9 for ultrawide cinematic, or auto to infer from the input image. Default value: `"auto"`
   */
  aspect_ratio?: "auto" | "21:9" | "16:9" | "4:3" | "1:1" | "3:4" | "9:16";
  /**
   * Output bitrate mode. 'high' requests a higher-quality, larger-file encode from the model; 'standard' uses the default bitrate. Default value: `"standard"`
   */
  bitrate_mode?: "standard" | "high";
  /**
   * Duration of the video in seconds. Supports 4 to 15 seconds, or auto to let the model decide based on the prompt. Default value: `"auto"`
   */
  duration?:
    | "auto"
    | "4"
    | "5"
    | "6"
    | "7"
    | "8"
    | "9"
    | "10"
    | "11"
    | "12"
    | "13"
    | "14"
    | "15";
  /**
   * The URL of the image to use as the last frame of the video. When provided, the generated video will transition from the starting image to this ending image. Supported formats: JPEG, PNG, WebP. Max 30 MB.
   */
  end_image_url?: string | Blob | File;
  /**
   * The unique user ID of the end user.
   */
  end_user_id?: string;
  /**
   * Whether to generate synchronized audio for the video, including sound effects, ambient sounds, and lip-synced speech. The cost of video generation is the same regardless of whether audio is generated or not. Default value: `true`
   */
  generate_audio?: boolean;
  /**
   * The URL of the starting frame image to animate. Supported formats: JPEG, PNG, WebP. Max 30 MB.
   */
  image_url: string | Blob | File;
  /**
   * The text prompt describing the desired motion and action for the video.
   */
  prompt: string;
  /**
   * Video resolution - 480p for faster generation, 720p for balance, 1080p for high quality, 4k for highest quality. Default value: `"720p"`
   */
  resolution?: "480p" | "720p" | "1080p" | "4k";
};
export type Seedance2T2VFastInput = {
  /**
   * The aspect ratio of the generated video. Use 16:9 for landscape, 9:16 for portrait/vertical, 1:1 for square, 21:9 for ultrawide cinematic, or auto to let the model decide. Default value: `"auto"`
   */
  aspect_ratio?: "auto" | "21:9" | "16:9" | "4:3" | "1:1" | "3:4" | "9:16";
  /**
   * Output bitrate mode. 'high' requests a higher-quality, larger-file encode from the model; 'standard' uses the default bitrate. Default value: `"standard"`
   */
  bitrate_mode?: "standard" | "high";
  /**
   * Duration of the video in seconds. Supports 4 to 15 seconds, or auto to let the model decide based on the prompt. Default value: `"auto"`
   */
  duration?:
    | "auto"
    | "4"
    | "5"
    | "6"
    | "7"
    | "8"
    | "9"
    | "10"
    | "11"
    | "12"
    | "13"
    | "14"
    | "15";
  /**
   * The unique user ID of the end user.
   */
  end_user_id?: string;
  /**
   * Whether to generate synchronized audio for the video, including sound effects, ambient sounds, and lip-synced speech. The cost of video generation is the same regardless of whether audio is generated or not. Default value: `true`
   */
  generate_audio?: boolean;
  /**
   * The text prompt used to generate the video
   */
  prompt: string;
  /**
   * Video resolution - 480p for faster generation, 720p for balance. Default value: `"720p"`
   */
  resolution?: "480p" | "720p";
};
export type Seedance2T2VInput = {
  /**
   * The aspect ratio of the generated video. Use 16:9 for landscape, 9:16 for portrait/vertical, 1:1 for square, 21:9 for ultrawide cinematic, or auto to let the model decide. Default value: `"auto"`
   */
  aspect_ratio?: "auto" | "21:9" | "16:9" | "4:3" | "1:1" | "3:4" | "9:16";
  /**
   * Output bitrate mode. 'high' requests a higher-quality, larger-file encode from the model; 'standard' uses the default bitrate. Default value: `"standard"`
   */
  bitrate_mode?: "standard" | "high";
  /**
   * Duration of the video in seconds. Supports 4 to 15 seconds, or auto to let the model decide based on the prompt. Default value: `"auto"`
   */
  duration?:
    | "auto"
    | "4"
    | "5"
    | "6"
    | "7"
    | "8"
    | "9"
    | "10"
    | "11"
    | "12"
    | "13"
    | "14"
    | "15";
  /**
   * The unique user ID of the end user.
   */
  end_user_id?: string;
  /**
   * Whether to generate synchronized audio for the video, including sound effects, ambient sounds, and lip-synced speech. The cost of video generation is the same regardless of whether audio is generated or not. Default value: `true`
   */
  generate_audio?: boolean;
  /**
   * The text prompt used to generate the video
   */
  prompt: string;
  /**
   * Video resolution - 480p for faster generation, 720p for balance, 1080p for high quality, 4k for highest quality. Default value: `"720p"`
   */
  resolution?: "480p" | "720p" | "1080p" | "4k";
};
export type Seedance2T2VMiniInput = {
  /**
   * The aspect ratio of the generated video. Use 16:9 for landscape, 9:16 for portrait/vertical, 1:1 for square, 21:9 for ultrawide cinematic, or auto to let the model decide. Default value: `"auto"`
   */
  aspect_ratio?: "auto" | "21:9" | "16:9" | "4:3" | "1:1" | "3:4" | "9:16";
  /**
   * Duration of the video in seconds. Supports 4 to 15 seconds, or auto to let the model decide based on the prompt. Default value: `"auto"`
   */
  duration?:
    | "auto"
    | "4"
    | "5"
    | "6"
    | "7"
    | "8"
    | "9"
    | "10"
    | "11"
    | "12"
    | "13"
    | "14"
    | "15";
  /**
   * The unique user ID of the end user.
   */
  end_user_id?: string;
  /**
   * Whether to generate synchronized audio for the video, including sound effects, ambient sounds, and lip-synced speech. The cost of video generation is the same regardless of whether audio is generated or not. Default value: `true`
   */
  generate_audio?: boolean;
  /**
   * The text prompt used to generate the video
   */
  prompt: string;
  /**
   * Video resolution - 480p for faster generation, 720p for balance. Default value: `"720p"`
   */
  resolution?: "480p" | "720p";
};
export type SeedDream50LiteT2IInput = {
  /**
   * If set to true, the safety checker will be enabled. Default value: `true`
   */
  enable_safety_checker?: boolean;
  /**
   * The size of the generated image. Total pixels must be between 2560x1440 and 4096x4096. In case the image size does not fall within these parameters, the image size will be adjusted to by scaling. Default value: `auto_2K`
   */
  image_size?:
    | ImageSize
    | "square_hd"
    | "square"
    | "portrait_4_3"
    | "portrait_16_9"
    | "landscape_4_3"
    | "landscape_16_9"
    | "auto_2K"
    | "auto_3K"
    | "auto_4K";
  /**
   * If set to a number greater than one, enables multi-image generation. The model will potentially return up to `max_images` images every generation, and in total, `num_images` generations will be carried out. In total, the number of images generated will be between `num_images` and `max_images*num_images`. Default value: `1`
   */
  max_images?: number;
  /**
   * Number of separate model generations to be run with the prompt. Default value: `1`
   */
  num_images?: number;
  /**
   * The text prompt used to generate the image
   */
  prompt: string;
  /**
   * If set to true returns seedance-2 trusted URLs. Please note these urls expire in 24 hours.
   */
  return_byteplus_urls?: boolean;
  /**
   * If `True`, the media will be returned as a data URI and the output data won't be available in the request history.
   */
  sync_mode?: boolean;
};
export type SeedreamV5LiteEditInput = {
  /**
   * If set to true, the safety checker will be enabled. Default value: `true`
   */
  enable_safety_checker?: boolean;
  /**
   * The size of the generated image. Total pixels must be between 2560x1440 and 4096x4096. In case the image size does not fall within these parameters, the image size will be adjusted to by scaling. Default value: `auto_2K`
   */
  image_size?:
    | ImageSize
    | "square_hd"
    | "square"
    | "portrait_4_3"
    | "portrait_16_9"
    | "landscape_4_3"
    | "landscape_16_9"
    | "auto_2K"
    | "auto_3K"
    | "auto_4K";
  /**
   * List of URLs of input images for editing. Presently, up to 10 image inputs are allowed. If over 10 images are sent, only the last 10 will be used.
   */
  image_urls: Array<string>;
  /**
   * If set to a number greater than one, enables multi-image generation. The model will potentially return up to `max_images` images every generation, and in total, `num_images` generations will be carried out. In total, the number of images generated will be between `num_images` and `max_images*num_images`. Default value: `1`
   */
  max_images?: number;
  /**
   * Number of separate model generations to be run with the prompt. Default value: `1`
   */
  num_images?: number;
  /**
   * The text prompt used to edit the image
   */
  prompt: string;
  /**
   * If `True`, the media will be returned as a data URI and the output data won't be available in the request history.
   */
  sync_mode?: boolean;
};
export type TextToAudioBaseInput = {
  /**
   * Audio bitrate for compressed output formats (e.g., mp3, aac, opus). Format e.g. '192k' or '320k'. Ignored for lossless formats (wav, flac). Default value: `"192k"`
   */
  bitrate?: string;
  /**
   * Duration of the generated audio in seconds. Default value: `30`
   */
  duration?: number;
  /**
   * If True, the prompt will be expanded using an LLM for more detailed and higher quality results.
   */
  enable_prompt_expansion?: boolean;
  /**
   * Enable NSFW content safety checking. Default value: `true`
   */
  enable_safety_checker?: boolean;
  /**
   * Classifier-free guidance scale. Higher values follow the prompt more strictly; ~7.0 is a good starting point for base checkpoints. Default value: `7`
   */
  guidance_scale?: number;
  /**
   * Text description of qualities to avoid in the output. Default value: `""`
   */
  negative_prompt?: string;
  /**
   * Number of sampling steps. Base (non-distilled) checkpoints typically need ~50 for good quality. Default value: `50`
   */
  num_inference_steps?: number;
  /**
   * Container format for the generated audio output. Default value: `"mp3"`
   */
  output_format?: "mp3" | "wav" | "flac" | "ogg" | "opus" | "m4a" | "aac";
  /**
   * Text description of the audio to generate.
   */
  prompt: string;
  /**
   * Random seed for reproducible outputs. Omit for a random seed.
   */
  seed?: number;
  /**
   * If True, the audio is returned inline as a data URI and the result is not saved to the request history.
   */
  sync_mode?: boolean;
};
export type unoOutput = {
  /**
   * Whether the generated images contain NSFW concepts.
   */
  has_nsfw_concepts: Array<boolean>;
  /**
   * The URLs of the generated images.
   */
  images: Array<Image>;
  /**
   * The prompt used to generate the image.
   */
  prompt: string;
  /**
   * Seed of the generated Image. It will be the same value of the one passed in the
   * input or the randomly generated that was used in case none was passed.
   */
  seed: number;
  /**
   *
   */
  timings: unknown;
};
export type XAIImageInput = {
  /**
   * Aspect ratio of the generated image. Default value: `"1:1"`
   */
  aspect_ratio?:
    | "2:1"
    | "20:9"
    | "19.5:9"
    | "16:9"
    | "4:3"
    | "3:2"
    | "1:1"
    | "2:3"
    | "3:4"
    | "9:16"
    | "9:19.5"
    | "9:20"
    | "1:2";
  /**
   * Number of images to generate. Default value: `1`
   */
  num_images?: number;
  /**
   * The format of the generated image. Default value: `"jpeg"`
   */
  output_format?: "jpeg" | "png" | "webp";
  /**
   * Text description of the desired image.
   */
  prompt: string;
  /**
   * Resolution of the generated image. `1k` for standard resolution, `2k` for high resolution. Default value: `"1k"`
   */
  resolution?: "1k" | "2k";
  /**
   * If `True`, the media will be returned as a data URI and the output data won't be available in the request history.
   */
  sync_mode?: boolean;
};
export type XAIImageOutput = {
  /**
   * The URL of the generated image.
   */
  images: Array<ImageFile>;
  /**
   * The enhanced prompt that was used to generate the image.
   */
  revised_prompt?: string;
};
export type Flux2ProOutpaintOutput = photaOutput;
export type FluxKontextLoraInpaintInput = BaseKontextInpaintInput;
export type FluxKontextLoraInpaintOutput = unoOutput;
export type GptImage2EditOutput = photaOutput;
export type GptImage2Output = photaOutput;
export type GrokImagineImageInput = XAIImageInput;
export type GrokImagineImageOutput = XAIImageOutput;
export type GrokImagineImageQualityTextToImageInput = XAIImageInput;
export type GrokImagineImageQualityTextToImageOutput = XAIImageOutput;
export type ImageFile = Image;
export type Imagineart15ProPreviewTextToImageInput =
  Imagineart15PreviewTextToImageInput;
export type Imagineart15ProPreviewTextToImageOutput = BlurOutput;
export type MinimaxMusicV25Output = DiaOutput;
export type Seedance20FastImageToVideoInput = Seedance2I2VFastInput;
export type Seedance20FastImageToVideoOutput = ModifyOutput;
export type Seedance20FastTextToVideoInput = Seedance2T2VFastInput;
export type Seedance20FastTextToVideoOutput = ModifyOutput;
export type Seedance20ImageToVideoInput = Seedance2I2VInput;
export type Seedance20ImageToVideoOutput = ModifyOutput;
export type Seedance20MiniTextToVideoInput = Seedance2T2VMiniInput;
export type Seedance20MiniTextToVideoOutput = ModifyOutput;
export type Seedance20TextToVideoInput = Seedance2T2VInput;
export type Seedance20TextToVideoOutput = ModifyOutput;
export type SeedreamV5LiteEditOutput = pulidOutput;
export type SeedreamV5LiteTextToImageInput = SeedDream50LiteT2IInput;
export type SeedreamV5LiteTextToImageOutput = pulidOutput;
export type StableAudio3SmallSfxTextToAudioInput = TextToAudioBaseInput;
export type StableAudio3SmallSfxTextToAudioOutput =
  Ltx23QualityTextToAudioOutput;

export type EndpointTypeMap = {
  "bytedance/seedance-2.0/fast/image-to-video": {
    input: Seedance20FastImageToVideoInput;
    output: Seedance20FastImageToVideoOutput;
  };
  "bytedance/seedance-2.0/fast/text-to-video": {
    input: Seedance20FastTextToVideoInput;
    output: Seedance20FastTextToVideoOutput;
  };
  "bytedance/seedance-2.0/image-to-video": {
    input: Seedance20ImageToVideoInput;
    output: Seedance20ImageToVideoOutput;
  };
  "bytedance/seedance-2.0/mini/text-to-video": {
    input: Seedance20MiniTextToVideoInput;
    output: Seedance20MiniTextToVideoOutput;
  };
  "bytedance/seedance-2.0/text-to-video": {
    input: Seedance20TextToVideoInput;
    output: Seedance20TextToVideoOutput;
  };
  "bytedance/seedream/v5/lite/edit": {
    input: SeedreamV5LiteEditInput;
    output: SeedreamV5LiteEditOutput;
  };
  "bytedance/seedream/v5/lite/text-to-image": {
    input: SeedreamV5LiteTextToImageInput;
    output: SeedreamV5LiteTextToImageOutput;
  };
  "fal-ai/flux-2-pro/outpaint": {
    input: Flux2ProOutpaintInput;
    output: Flux2ProOutpaintOutput;
  };
  "fal-ai/flux-kontext-lora/inpaint": {
    input: FluxKontextLoraInpaintInput;
    output: FluxKontextLoraInpaintOutput;
  };
  "fal-ai/minimax-music/v2.5": {
    input: MinimaxMusicV25Input;
    output: MinimaxMusicV25Output;
  };
  "fal-ai/stable-audio-3/small/sfx/text-to-audio": {
    input: StableAudio3SmallSfxTextToAudioInput;
    output: StableAudio3SmallSfxTextToAudioOutput;
  };
  "imagineart/imagineart-1.5-pro-preview/text-to-image": {
    input: Imagineart15ProPreviewTextToImageInput;
    output: Imagineart15ProPreviewTextToImageOutput;
  };
  "openai/gpt-image-2": {
    input: GptImage2Input;
    output: GptImage2Output;
  };
  "openai/gpt-image-2/edit": {
    input: GptImage2EditInput;
    output: GptImage2EditOutput;
  };
  "xai/grok-imagine-image": {
    input: GrokImagineImageInput;
    output: GrokImagineImageOutput;
  };
  "xai/grok-imagine-image/quality/text-to-image": {
    input: GrokImagineImageQualityTextToImageInput;
    output: GrokImagineImageQualityTextToImageOutput;
  };
};
