import { writeBundledMap } from "../../../data-loaders/site-bundled-map.js";

writeBundledMap("map");
