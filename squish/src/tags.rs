//! Sub-frame tags and class codes, the same in every family.

pub const FRAME_MAGIC: u8 = 3;

pub const ID: u8 = 43;
pub const COLOR: u8 = 42;
pub const PLAYER_IDS: u8 = 44;
pub const POS: u8 = 45;
pub const FILL: u8 = 53;
pub const SIZE: u8 = 46;
pub const TEXT: u8 = 47;
pub const ASSET: u8 = 48;
pub const EFFECTS: u8 = 49;
pub const HANDLE_CLICK: u8 = 50;
pub const BORDER: u8 = 54;
pub const SUB_TYPE: u8 = 55;
pub const INPUT: u8 = 51;
pub const COORDINATES_2D: u8 = 52;

/// The JS property name a tag carries, for messages; `None` for a tag no version knows.
pub fn property_name(tag: u8) -> Option<&'static str> {
    Some(match tag {
        ID => "id",
        COLOR => "color",
        PLAYER_IDS => "playerIds",
        POS => "pos",
        FILL => "fill",
        SIZE => "size",
        TEXT => "text",
        ASSET => "asset",
        EFFECTS => "effects",
        HANDLE_CLICK => "handleClick",
        BORDER => "border",
        SUB_TYPE => "subType",
        INPUT => "input",
        COORDINATES_2D => "coordinates2d",
        _ => return None,
    })
}

/// `subType` values the encoders and decoders compare against.
pub mod subtype {
    pub const ASSET: f64 = 1.0;
    pub const TEXT: f64 = 2.0;
    pub const POLYGON: f64 = 3.0;
    pub const CIRCLE: f64 = 4.0;
    pub const LINE: f64 = 5.0;
}
