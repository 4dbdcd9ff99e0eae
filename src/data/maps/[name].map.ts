import { writeBundledMap } from "../../../data-loaders/site-bundled-maps.js";

writeBundledMap("map");
