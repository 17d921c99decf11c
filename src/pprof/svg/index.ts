export { dotToSvg, layoutSvg } from "./layout.js";
export { massageSvg } from "./massage.js";
